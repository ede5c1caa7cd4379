//! Bearer secrets and the session cookie (server only).

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{AppError, internal};

/// The cookie that carries a browser session's secret over http.
pub const SESSION_COOKIE: &str = "tidings_session";
/// Its name over https: `__Host-` makes the browser refuse it unless it
/// was set Secure, for this host, Path=/, so a sibling subdomain cannot
/// plant a session of its own choosing.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tidings_session";

/// The session cookie's name for this server.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// A fresh 256-bit secret, prefixed so leaked tokens are easy to grep for.
pub fn new_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(internal)?;
    Ok(format!("tid_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// What the database stores instead of the secret.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret of a request: `Authorization: Bearer …` first, then the
/// cookie. An `Authorization` header that is there but unreadable (not
/// ASCII, not Bearer) authenticates nobody; it never falls back to the cookie.
pub fn secret_from_headers(headers: &HeaderMap, secure: bool) -> Option<String> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let (scheme, token) = value.to_str().ok()?.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned());
    }
    cookie_value(headers, cookie_name(secure))
}

/// True when the request authenticated with its cookie (and so is exposed to CSRF).
pub fn uses_cookie_auth(headers: &HeaderMap, secure: bool) -> bool {
    !headers.contains_key(header::AUTHORIZATION) && cookie_value(headers, cookie_name(secure)).is_some()
}

/// Reads one cookie from the `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure on https.
pub fn session_cookie(secret: &str, secure: bool, max_age_s: i64) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&value).expect("session cookie is ASCII")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    session_cookie("", secure, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_wins_over_cookie() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; tidings_session=fromcookie"));
        assert_eq!(secret_from_headers(&h, false).as_deref(), Some("fromcookie"));
        assert!(uses_cookie_auth(&h, false));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer tid_abc"));
        assert_eq!(secret_from_headers(&h, false).as_deref(), Some("tid_abc"));
        assert!(!uses_cookie_auth(&h, false));
    }

    #[test]
    fn an_unreadable_authorization_header_does_not_fall_back_to_the_cookie() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("tidings_session=fromcookie"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap());
        assert_eq!(secret_from_headers(&h, false), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic YTpi"));
        assert_eq!(secret_from_headers(&h, false), None);
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_counts() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("tidings_session=planted"));
        assert_eq!(secret_from_headers(&h, true), None);
        assert!(!uses_cookie_auth(&h, true));
        h.insert(header::COOKIE, HeaderValue::from_static("__Host-tidings_session=mine; tidings_session=planted"));
        assert_eq!(secret_from_headers(&h, true).as_deref(), Some("mine"));
        let set = session_cookie("s", true, 60);
        assert!(set.to_str().unwrap().starts_with("__Host-tidings_session=s; Path=/;"));
    }

    #[test]
    fn cookie_is_httponly_lax_and_secure_on_https() {
        let c = session_cookie("s", true, 60);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!session_cookie("s", false, 60).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("tid_") && a.len() > 40);
        assert_eq!(hash_secret("x"), hash_secret("x"));
        assert_eq!(hash_secret("x").len(), 64);
    }
}
