//! Checks on what browsers send when subscribing, and the rule that pushes
//! only go to public addresses (so a subscription cannot aim the server at
//! its own network).

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use url::Url;

use super::encrypt::is_valid_p256_point;
use crate::error::AppError;
pub use crate::outbound::is_public;
use crate::outbound::{UrlProblem, check_url};

/// A checked subscription endpoint and keys.
#[derive(Debug, Clone)]
pub struct ValidSubscription {
    pub endpoint: Url,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
}

/// Decodes base64url with or without padding (browsers differ).
pub fn decode_b64(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).or_else(|_| URL_SAFE.decode(value)).ok()
}

/// Parses and checks the endpoint and keys. With `allow_private`, plain
/// http and private addresses are accepted (development and tests only).
pub async fn validate(
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    allow_private: bool,
) -> Result<ValidSubscription, AppError> {
    let endpoint = check_endpoint(endpoint, allow_private).await?;
    let p256dh = decode_b64(p256dh).filter(|k| is_valid_p256_point(k)).ok_or_else(|| {
        AppError::invalid("invalid_p256dh", "keys.p256dh must be an uncompressed P-256 point (65 bytes, base64url)")
    })?;
    let auth = decode_b64(auth)
        .filter(|a| a.len() == 16)
        .ok_or_else(|| AppError::invalid("invalid_auth", "keys.auth must be 16 bytes, base64url"))?;
    Ok(ValidSubscription { endpoint, p256dh, auth })
}

async fn check_endpoint(endpoint: &str, allow_private: bool) -> Result<Url, AppError> {
    // Push services listen on 443; any other port is someone's other service.
    check_url(endpoint, allow_private, Some(443)).await.map_err(|problem| {
        let code = match problem {
            UrlProblem::Unresolvable => "unresolvable_endpoint",
            UrlProblem::Private => "private_endpoint",
            _ => "invalid_endpoint",
        };
        AppError::invalid(code, problem.message("endpoint"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn endpoints_must_be_https_on_public_addresses() {
        let code = |r: Result<Url, AppError>| r.unwrap_err().code().to_owned();
        assert_eq!(code(check_endpoint("http://push.example.com/x", false).await), "invalid_endpoint");
        assert_eq!(code(check_endpoint("https://127.0.0.1/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://[::1]/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://10.0.0.8:8443/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://localhost/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("not a url", false).await), "invalid_endpoint");
        assert!(check_endpoint("https://8.8.8.8/push/abc", false).await.is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/push", true).await.is_ok());
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(decode_b64("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_b64("AQI").unwrap(), vec![1, 2]);
        assert_eq!(decode_b64("AQI=").unwrap(), vec![1, 2]);
        assert!(decode_b64("***").is_none());
    }

    #[tokio::test]
    async fn push_endpoints_are_on_port_443_only() {
        assert!(check_endpoint("https://8.8.8.8/push/x", false).await.is_ok());
        assert!(check_endpoint("https://8.8.8.8:443/push/x", false).await.is_ok());
        let err = check_endpoint("https://8.8.8.8:8443/push/x", false).await.unwrap_err();
        assert_eq!(err.code(), "invalid_endpoint");
        assert!(check_endpoint("https://8.8.8.8:6379/", false).await.is_err());
        assert!(check_endpoint("http://127.0.0.1:8080/push/x", true).await.is_ok(), "tests and development");
    }
}
