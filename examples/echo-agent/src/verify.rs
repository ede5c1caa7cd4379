//! Taking a webhook from Tidings: `Tidings-Signature: t=<unix seconds>,v1=<hex>`
//! is the HMAC-SHA256 of `"<t>.<raw body>"` with the bot's signing secret,
//! compared in constant time, and no more than five minutes old (no
//! replays); an event seen before is answered and not handled twice.
//! `reminder-bot` shares this file.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

const TOLERANCE_SECS: i64 = 300;

pub fn signature(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let (mut t, mut v1) = (None, None);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    if (now - t).abs() > TOLERANCE_SECS {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

/// A signed event to handle: `Ok(None)` for one already seen (Tidings
/// retries until it gets a 2xx); `Err` is the status to answer with.
pub fn event(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    seen: &Mutex<HashSet<String>>,
) -> Result<Option<(String, Value)>, StatusCode> {
    let header = headers.get("tidings-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    if !signature(secret, header, body, now) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    let event: Value = serde_json::from_slice(body).map_err(|_| StatusCode::BAD_REQUEST)?;
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    Ok(seen.lock().expect("seen").insert(id.clone()).then_some((id, event)))
}

/// A UUID made from `seed` (the first half of its SHA-256): the same
/// event always answers with the same client id, so a retry answers once.
pub fn client_id_for(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn a_good_signature_passes_and_anything_else_fails() {
        let header = sign("whsec_x", 1000, b"{}");
        assert!(signature("whsec_x", &header, b"{}", 1000));
        assert!(!signature("whsec_y", &header, b"{}", 1000), "another secret");
        assert!(!signature("whsec_x", &header, b"{ }", 1000), "another body");
        assert!(!signature("whsec_x", &header, b"{}", 1000 + 301), "too old: a replay");
        assert!(!signature("whsec_x", "t=1000", b"{}", 1000));
        assert!(!signature("whsec_x", "", b"{}", 1000));
    }
}
