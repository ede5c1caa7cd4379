//! Message encryption for Web Push (RFC 8291, `aes128gcm` from RFC 8188),
//! on `ring`: one ephemeral ECDH per message, HKDF-SHA256, AES-128-GCM.
//! Tests check it against an independent decryptor (the `ece` crate).

use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::hkdf::{HKDF_SHA256, KeyType, Salt};
use ring::rand::{SecureRandom, SystemRandom};

/// Record size announced in the header; one record holds the whole message.
const RECORD_SIZE: u32 = 4096;
/// salt (16) + rs (4) + idlen (1) + keyid (65 bytes of public key).
pub const HEADER_LEN: usize = 16 + 4 + 1 + 65;
/// AES-GCM tag plus the 0x02 padding delimiter of the last record.
pub const OVERHEAD: usize = HEADER_LEN + 16 + 1;
/// The largest encrypted body we send (RFC 8030 push services accept 4096).
pub const MAX_BODY: usize = 4096;
/// The largest plaintext that fits in `MAX_BODY`.
pub const MAX_PLAINTEXT: usize = MAX_BODY - OVERHEAD;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncryptError {
    #[error("the subscription's p256dh key is not a valid P-256 point")]
    BadPublicKey,
    #[error("the subscription's auth secret must be 16 bytes")]
    BadAuthSecret,
    #[error("payload of {0} bytes is larger than {MAX_PLAINTEXT}")]
    TooLarge(usize),
    #[error("cryptographic failure")]
    Crypto,
}

impl From<ring::error::Unspecified> for EncryptError {
    fn from(_: ring::error::Unspecified) -> Self {
        Self::Crypto
    }
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// Encrypts `plaintext` for the browser holding `ua_public` (65-byte
/// uncompressed point) and `auth_secret` (16 bytes). Returns the request body.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
    rng: &SystemRandom,
) -> Result<Vec<u8>, EncryptError> {
    if ua_public.len() != 65 || ua_public[0] != 0x04 {
        return Err(EncryptError::BadPublicKey);
    }
    if auth_secret.len() != 16 {
        return Err(EncryptError::BadAuthSecret);
    }
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptError::TooLarge(plaintext.len()));
    }
    let private = EphemeralPrivateKey::generate(&ECDH_P256, rng)?;
    let as_public = private.compute_public_key()?;
    let peer = UnparsedPublicKey::new(&ECDH_P256, ua_public);
    let mut ecdh_secret = [0u8; 32];
    agree_ephemeral(private, &peer, |shared| ecdh_secret.copy_from_slice(shared))
        .map_err(|_| EncryptError::BadPublicKey)?;

    // IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info\0" || ua_public || as_public, 32)
    let mut key_info = [0u8; 14 + 65 + 65];
    key_info[..14].copy_from_slice(b"WebPush: info\0");
    key_info[14..79].copy_from_slice(ua_public);
    key_info[79..].copy_from_slice(as_public.as_ref());
    let mut ikm = [0u8; 32];
    Salt::new(HKDF_SHA256, auth_secret).extract(&ecdh_secret).expand(&[&key_info], Len(32))?.fill(&mut ikm)?;

    let mut salt = [0u8; 16];
    rng.fill(&mut salt)?;
    let prk = Salt::new(HKDF_SHA256, &salt).extract(&ikm);
    let mut cek = [0u8; 16];
    prk.expand(&[b"Content-Encoding: aes128gcm\0"], Len(16))?.fill(&mut cek)?;
    let mut nonce = [0u8; 12];
    prk.expand(&[b"Content-Encoding: nonce\0"], Len(12))?.fill(&mut nonce)?;

    // Header, then the one record encrypted in place behind it.
    let mut body = Vec::with_capacity(OVERHEAD + plaintext.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_ref());
    body.extend_from_slice(plaintext);
    body.push(0x02); // last (and only) record, no further padding
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek)?);
    let tag =
        key.seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body[HEADER_LEN..])?;
    body.extend_from_slice(tag.as_ref());
    Ok(body)
}

/// True when `point` is a usable P-256 public key (checked by agreeing a
/// throwaway key with it, which validates the point on the curve).
pub fn is_valid_p256_point(point: &[u8]) -> bool {
    if point.len() != 65 || point[0] != 0x04 {
        return false;
    }
    let rng = SystemRandom::new();
    let Ok(private) = EphemeralPrivateKey::generate(&ECDH_P256, &rng) else { return false };
    agree_ephemeral(private, &UnparsedPublicKey::new(&ECDH_P256, point), |_| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (Box<dyn ece::crypto::LocalKeyPair>, Vec<u8>, [u8; 16]) {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let public = pair.pub_as_raw().unwrap();
        (pair, public, auth)
    }

    #[test]
    fn ece_decrypts_what_we_encrypt() {
        let (pair, public, auth) = keys();
        let body = encrypt(b"{\"title\":\"alice\"}", &public, &auth, &SystemRandom::new()).unwrap();
        let plain = ece::decrypt(&pair.raw_components().unwrap(), &auth, &body).unwrap();
        assert_eq!(plain, b"{\"title\":\"alice\"}");
    }

    #[test]
    fn the_largest_plaintext_fits_in_4096_bytes() {
        let (pair, public, auth) = keys();
        let plaintext = vec![b'x'; MAX_PLAINTEXT];
        let body = encrypt(&plaintext, &public, &auth, &SystemRandom::new()).unwrap();
        assert_eq!(body.len(), MAX_BODY);
        assert_eq!(ece::decrypt(&pair.raw_components().unwrap(), &auth, &body).unwrap(), plaintext);
        assert_eq!(
            encrypt(&vec![b'x'; MAX_PLAINTEXT + 1], &public, &auth, &SystemRandom::new()),
            Err(EncryptError::TooLarge(MAX_PLAINTEXT + 1))
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        let (_, public, auth) = keys();
        let rng = SystemRandom::new();
        assert_eq!(encrypt(b"x", &public[..64], &auth, &rng), Err(EncryptError::BadPublicKey));
        assert_eq!(encrypt(b"x", &public, &auth[..15], &rng), Err(EncryptError::BadAuthSecret));
        let mut off_curve = public.clone();
        off_curve[64] ^= 1;
        assert!(!is_valid_p256_point(&off_curve));
        assert!(is_valid_p256_point(&public));
    }
}
