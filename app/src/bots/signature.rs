//! `Tidings-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
//! keyed with the bot's signing secret. The timestamp is signed too, so a
//! receiver that refuses an old `t` (five minutes, say) cannot be replayed.

use ring::hmac;

/// The header's value for `body` sent at `unix_seconds`.
pub fn sign(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut signed = format!("{unix_seconds}.").into_bytes();
    signed.extend_from_slice(body);
    format!("t={unix_seconds},v1={}", hex_hmac_sha256(secret.as_bytes(), &signed))
}

fn hex_hmac_sha256(key: &[u8], data: &[u8]) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data);
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            hex_hmac_sha256(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_timestamp_is_signed_with_the_body() {
        let header = sign("whsec_x", 1_700_000_000, b"{}");
        assert_eq!(header, format!("t=1700000000,v1={}", hex_hmac_sha256(b"whsec_x", b"1700000000.{}")));
        assert_ne!(header[13..], sign("whsec_x", 1_700_000_001, b"{}")[13..]);
    }
}
