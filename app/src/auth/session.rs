//! Bearer secrets and the session cookie (server only).

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{AppError, internal};

/// The cookie that carries a browser session's secret.
pub const SESSION_COOKIE: &str = "tidings_session";

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

/// The secret of a request: `Authorization: Bearer …` first, then the cookie.
pub fn secret_from_headers(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned());
    }
    cookie_value(headers, SESSION_COOKIE)
}

/// True when the request authenticated with its cookie (and so is exposed to CSRF).
pub fn uses_cookie_auth(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::AUTHORIZATION) && cookie_value(headers, SESSION_COOKIE).is_some()
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
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
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
        assert_eq!(secret_from_headers(&h).as_deref(), Some("fromcookie"));
        assert!(uses_cookie_auth(&h));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer tid_abc"));
        assert_eq!(secret_from_headers(&h).as_deref(), Some("tid_abc"));
        assert!(!uses_cookie_auth(&h));
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
