//! What a server function needs from the request it runs in (server only):
//! the shared state, the caller, their IP, and a way to set headers.

use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use crate::auth::service::Session;
use crate::error::{AppError, internal};
use crate::state::AppState;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("AppState missing from server function context"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("request parts missing from server function context"))
}

/// The caller's session, or `Unauthenticated`. Pages behind the session
/// redirect (`route_by_session`) already looked it up; reuse that. Server
/// functions are the app's own door: a person signed in, never a token
/// (tokens go through the REST API, where each route checks its scope).
pub async fn session() -> Result<Session, AppError> {
    let parts = parts()?;
    let session = match parts.extensions.get::<Session>() {
        Some(session) => session.clone(),
        None => state()?.auth.authenticate_headers(&parts.headers).await?,
    };
    session.require_person()?;
    Ok(session)
}

/// Who is signing in: address and device.
pub fn visitor() -> Result<crate::auth::service::Visitor, AppError> {
    let parts = parts()?;
    let ip = crate::net::client_ip(&parts.headers, &parts.extensions, state()?.settings.trust_proxy);
    let device =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).and_then(crate::auth::device::label);
    Ok(crate::auth::service::Visitor { ip, device })
}

pub fn set_cookie(value: HeaderValue) {
    expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
}

/// Runs `work`; on error answers with the error's own HTTP status (server
/// functions default to 500) and, for 429, a `Retry-After` header.
///
/// Except for a plain form post (a browser without the WASM): leptos_axum
/// answers it with a redirect back to the form, the error in the URL, and a
/// 4xx status would stop the browser from following it.
pub async fn fail_status<T>(work: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = work.await;
    if let Err(err) = &result {
        let response = expect_context::<ResponseOptions>();
        if !plain_form_post() {
            response.set_status(StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        }
        if let AppError::RateLimited { retry_after } = err {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
    }
    result
}

/// Whether the request is a browser's own form submission, which asks for
/// HTML (the server function client asks for its encoding).
fn plain_form_post() -> bool {
    parts().is_ok_and(|parts| {
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}
