//! Checking `Tidings-Signature: t=<unix seconds>,v1=<hex>`: the HMAC-SHA256
//! of `"<t>.<raw body>"` with the bot's signing secret, compared in
//! constant time, and no more than five minutes old (no replays).

use hmac::{Hmac, Mac};
use sha2::Sha256;

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
