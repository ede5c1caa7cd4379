//! Security headers on every response, set in this one layer. Each response
//! gets a fresh nonce; the page's inline scripts (the bootstrap, Leptos'
//! hydration and streaming scripts) carry it, so the policy needs no
//! `unsafe-inline` for scripts.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use app::state::AppState;

/// This response's CSP nonce, for the page renderer (see `router.rs`).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

/// A year: browsers keep to https for this long after one visit.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

pub async fn security_headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // 122 random bits; hex is valid in a nonce.
    let nonce: Arc<str> = uuid::Uuid::new_v4().simple().to_string().into();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if state.settings.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if is_personal(headers) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The policy: everything from this origin only; scripts only with the
/// nonce (and WebAssembly compiled from them); no framing; no plugins.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Pages and API answers are rendered for whoever asked: no shared or
/// on-disk cache may keep them. Static files set their own caching.
fn is_personal(headers: &HeaderMap) -> bool {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    kind.starts_with("text/html") || kind.starts_with("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_script_without_the_nonce() {
        let p = policy("abc");
        let scripts = p.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(scripts.contains("'nonce-abc'") && !scripts.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'") && p.contains("connect-src 'self'"));
    }
}
