//! Cross-cutting HTTP layers: CSRF protection, the signed-out redirect and
//! request metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use app::auth::return_to::sign_in_url;
use app::auth::session::uses_cookie_auth;
use app::error::AppError;
use app::state::AppState;

/// Refuses state-changing requests that ride on the session cookie from
/// another site. SameSite=Lax already keeps the cookie off cross-site POSTs;
/// this also covers same-site subdomains and older browsers. Server
/// functions are plain POSTs, so they are covered too. Signing in or up
/// needs no cookie, but another site must not sign a visitor into its
/// attacker's account either (login CSRF), so those are always checked.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let guarded = uses_cookie_auth(request.headers(), state.settings.secure_cookies)
        || SIGN_IN_PATHS.contains(&request.uri().path());
    if !safe && guarded && !same_origin(request.headers(), &state.settings.public_url) {
        return AppError::Forbidden("cross-site request refused".into()).into_response();
    }
    next.run(request).await
}

/// Where a browser signs in or up and receives a session cookie.
const SIGN_IN_PATHS: [&str; 4] = ["/fn/auth/login", "/fn/auth/register", "/api/v1/auth/login", "/api/v1/auth/register"];

fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin_matches(origin, headers, public_url);
    }
    // No Origin: a same-origin navigation or a non-browser client. Browsers
    // that send Fetch Metadata tell us cross-site requests explicitly.
    !matches!(headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()), Some("cross-site" | "same-site"))
}

/// True when `origin` is this server: the public URL, or the host the
/// request was sent to over the public URL's scheme (the same host over
/// another scheme is another origin).
pub fn origin_matches(origin: &str, headers: &HeaderMap, public_url: &str) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let scheme = public_url.split_once("://").map_or("http", |(s, _)| s);
    let (origin_scheme, origin_host) = origin.split_once("://").unwrap_or_default();
    origin == public_url.trim_end_matches('/') || (origin_scheme == scheme && !host.is_empty() && origin_host == host)
}

/// Where a signed-out visitor lands: the welcome page, not the chat pages.
const WELCOME: &str = "/welcome";

/// Sends signed-out visitors of `/` to the welcome page, those of a
/// conversation (`/c/{id}`, say from a notification after the session ended),
/// the inbox or the settings to sign in and back, and signed-in ones from the welcome page to their
/// chats. Separate pages rather than one that renders either, so a first
/// visit never loads the chat screens' WASM. A failed session lookup (the
/// database is down) is left to the page; a found session is passed on, so
/// the page does not look it up again.
pub async fn route_by_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // The pages only a signed-in person has (`/` aside, which has a welcome).
    let chat_page = path == "/" || path.starts_with("/c/") || path == "/notifications" || path == "/settings";
    if request.method() != Method::GET || !(chat_page || path == WELCOME) {
        return next.run(request).await;
    }
    let session = state.auth.authenticate_headers(request.headers()).await;
    match session {
        Err(AppError::Unauthenticated) if path == "/" => return Redirect::to(WELCOME).into_response(),
        Err(AppError::Unauthenticated) if chat_page => {
            let here = request.uri().path_and_query().map_or(path, |p| p.as_str());
            return Redirect::to(&sign_in_url(here)).into_response();
        }
        Ok(_) if !chat_page => return Redirect::to("/").into_response(),
        Ok(session) => {
            request.extensions_mut().insert(session);
        }
        Err(_) => {}
    }
    next.run(request).await
}

/// Counts requests and their latency by route template and status.
pub async fn track_metrics(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("tidings_http_requests_total", &labels).increment(1);
    metrics::histogram!("tidings_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_origins_are_refused() {
        let public = "http://127.0.0.1:3000";
        assert!(same_origin(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), public));
        assert!(same_origin(&headers(&[("origin", "http://localhost:3000"), ("host", "localhost:3000")]), public));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]), public));
        assert!(same_origin(&headers(&[]), public));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), public));
        let https = "https://chat.example.org";
        let host = ("host", "chat.example.org");
        assert!(same_origin(&headers(&[("origin", "https://chat.example.org"), host]), https));
        assert!(!same_origin(&headers(&[("origin", "http://chat.example.org"), host]), https));
    }
}

/// JSON bodies are small: a message is at most 4000 characters.
pub const BODY_LIMIT: usize = 64 * 1024;
/// A notification to many people names them all (10,000 usernames).
pub const BULK_BODY_LIMIT: usize = 512 * 1024;

/// Caps every request body (413 past it): [`BODY_LIMIT`], except a
/// notification's recipients list, which may be long.
pub async fn limit_body(request: Request, next: Next) -> Response {
    let bulk = request.method() == Method::POST && request.uri().path() == "/api/v1/notifications";
    let limit = if bulk { BULK_BODY_LIMIT } else { BODY_LIMIT };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return AppError::TooLarge.into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}
