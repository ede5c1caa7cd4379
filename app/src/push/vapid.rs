//! The server's VAPID key pair (RFC 8292), kept in the database so every
//! node of a cluster signs with the same key and a restart keeps it.

use std::{fmt, sync::Arc};

use super::store;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

use crate::db::Db;
use crate::error::{AppError, internal};

const KEY_NAME: &str = "vapid_private_pkcs8";

/// A P-256 signing key. `Debug` never shows the private half.
#[derive(Clone)]
pub struct VapidKeys {
    pair: Arc<EcdsaKeyPair>,
}

impl VapidKeys {
    fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, AppError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new())
            .map_err(|_| internal("stored VAPID key is not a valid P-256 PKCS#8 key"))?;
        Ok(Self { pair: Arc::new(pair) })
    }

    /// The uncompressed public point (65 bytes), as browsers want it.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public key, base64url without padding (`applicationServerKey`).
    pub fn public_key_base64(&self) -> String {
        B64.encode(self.public_key())
    }

    /// A fresh key pair that is not stored anywhere (tests and benches).
    pub fn generate_for_tests() -> Self {
        Self::from_pkcs8(&generate().expect("key generation")).expect("valid key")
    }

    /// Signs `message` with ES256 (64-byte r‖s).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AppError> {
        self.pair
            .sign(&SystemRandom::new(), message)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| internal("VAPID signing failed"))
    }
}

impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public_key", &self.public_key_base64())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// Loads the key pair, creating and storing one on first start. Several
/// nodes starting at once converge on whichever insert won.
pub async fn load_or_create(db: &Db) -> Result<VapidKeys, AppError> {
    if let Some(keys) = load(db).await? {
        return Ok(keys);
    }
    let pkcs8 = generate()?;
    store::insert_server_key(db, KEY_NAME, &B64.encode(&pkcs8)).await?;
    tracing::info!("generated a new VAPID key pair");
    load(db).await?.ok_or_else(|| internal("VAPID key vanished after insert"))
}

/// Replaces the key pair. Browsers subscribed with the old public key must
/// subscribe again.
pub async fn rotate(db: &Db) -> Result<VapidKeys, AppError> {
    let pkcs8 = generate()?;
    store::replace_server_key(db, KEY_NAME, &B64.encode(&pkcs8)).await?;
    tracing::warn!("rotated the VAPID key pair; existing push subscriptions must be renewed");
    VapidKeys::from_pkcs8(&pkcs8)
}

async fn load(db: &Db) -> Result<Option<VapidKeys>, AppError> {
    let Some(encoded) = store::server_key(db, KEY_NAME).await? else { return Ok(None) };
    let pkcs8 = B64.decode(encoded).map_err(internal)?;
    VapidKeys::from_pkcs8(&pkcs8).map(Some)
}

fn generate() -> Result<Vec<u8>, AppError> {
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| internal("VAPID key generation failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_private_key() {
        let keys = VapidKeys::from_pkcs8(&generate().unwrap()).unwrap();
        let shown = format!("{keys:?}");
        assert!(shown.contains("<redacted>"));
        assert!(shown.contains(&keys.public_key_base64()));
        assert_eq!(keys.public_key().len(), 65);
        assert_eq!(keys.public_key()[0], 0x04, "uncompressed point");
    }
}
