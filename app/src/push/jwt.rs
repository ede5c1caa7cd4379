//! VAPID authorization (RFC 8292): an ES256 JWT per push-service origin,
//! signed once and reused until shortly before it expires.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::header::HeaderValue;

use super::vapid::VapidKeys;
use crate::error::AppError;

/// Tokens live 12 h (RFC 8292 allows at most 24 h)…
const LIFETIME_S: i64 = 12 * 3600;
/// …and are renewed when less than this is left.
const RENEW_BEFORE_S: i64 = 3600;

pub struct VapidSigner {
    keys: VapidKeys,
    subject: String,
    public_b64: String,
    cache: Mutex<HashMap<String, (HeaderValue, i64)>>,
}

impl VapidSigner {
    pub fn new(keys: VapidKeys, subject: String) -> Self {
        let public_b64 = keys.public_key_base64();
        Self { keys, subject, public_b64, cache: Mutex::new(HashMap::new()) }
    }

    pub fn public_key_base64(&self) -> &str {
        &self.public_b64
    }

    /// The `Authorization` header value for pushes to `origin`
    /// (e.g. `https://fcm.googleapis.com`).
    pub fn authorization(&self, origin: &str, now_s: i64) -> Result<HeaderValue, AppError> {
        if let Some((header, exp)) = self.cache.lock().expect("vapid cache").get(origin)
            && exp - now_s > RENEW_BEFORE_S
        {
            return Ok(header.clone());
        }
        let exp = now_s + LIFETIME_S;
        let header = HeaderValue::from_str(&format!("vapid t={}, k={}", self.token(origin, exp)?, self.public_b64))
            .map_err(crate::error::internal)?;
        self.cache.lock().expect("vapid cache").insert(origin.to_owned(), (header.clone(), exp));
        Ok(header)
    }

    fn token(&self, audience: &str, exp: i64) -> Result<String, AppError> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": exp, "sub": self.subject });
        let signing_input = format!("{header}.{}", B64.encode(claims.to_string()));
        let signature = self.keys.sign(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", B64.encode(signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_cached_per_origin_and_renewed_before_expiry() {
        let signer = VapidSigner::new(VapidKeys::generate_for_tests(), "mailto:ops@example.org".into());
        let a1 = signer.authorization("https://push.example.com", 1_000).unwrap();
        let a2 = signer.authorization("https://push.example.com", 1_000 + 3600).unwrap();
        assert_eq!(a1, a2, "reused while fresh");
        let other = signer.authorization("https://other.example.com", 1_000).unwrap();
        assert_ne!(a1, other);
        let renewed = signer.authorization("https://push.example.com", 1_000 + LIFETIME_S - 60).unwrap();
        assert_ne!(a1, renewed, "renewed near expiry");
        let a1 = a1.to_str().unwrap();
        assert!(a1.starts_with("vapid t=") && a1.ends_with(&format!(", k={}", signer.public_key_base64())));
    }
}
