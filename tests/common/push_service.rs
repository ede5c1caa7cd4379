//! A local Web Push service for tests. It checks every push the way a real
//! one would, independently of the server's code: the VAPID JWT (ES256
//! signature with the `p256` crate, `aud`, `exp`, `sub`) and the
//! `aes128gcm` body (decrypted with the `ece` crate). Each device can be
//! scripted to answer 201, 404, 410, 413, 429 with Retry-After, 5xx, or slowly.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;

/// How the service answers one push.
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    RetryAfter(u16, u64),
    Slow(Duration, u16),
}

/// One push as the service saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub answered: u16,
    pub headers: HashMap<String, String>,
    pub claims: Value,
    pub vapid_key: String,
    pub body_len: usize,
    pub payload: Value,
    /// The HTTP version the push arrived over.
    pub version: axum::http::Version,
}

/// A browser's subscription: keys the service can decrypt with.
pub struct Device {
    pub name: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Device {
    /// The body of `POST /api/v1/push/subscriptions`.
    pub fn subscription_json(&self) -> Value {
        serde_json::json!({"endpoint": self.endpoint, "expirationTime": null, "keys": {"p256dh": self.p256dh, "auth": self.auth}})
    }
}

#[derive(Default)]
struct Inner {
    keys: HashMap<String, (ece::crypto::EcKeyComponents, Vec<u8>)>,
    script: HashMap<String, VecDeque<Reply>>,
    received: HashMap<String, Vec<Received>>,
    failures: Vec<String>,
}

#[derive(Clone)]
pub struct TestPushService {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl TestPushService {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let service = Self { base, inner: Arc::default() };
        let app = Router::new().route("/push/{device}", post(receive)).with_state(service.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        service
    }

    /// The same service behind TLS that offers HTTP/2 by ALPN, as real push
    /// services do. Returns the certificate (DER) the sender must trust.
    pub async fn start_tls() -> (Self, Vec<u8>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let service = Self { base, inner: Arc::default() };
        let app = Router::new().route("/push/{device}", post(receive)).with_state(service.clone());
        let der = super::tls::serve_tls(listener, app);
        (service, der)
    }

    /// A new device with fresh keys.
    pub fn device(&self, name: &str) -> Device {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let public = pair.pub_as_raw().unwrap();
        self.inner.lock().unwrap().keys.insert(name.to_owned(), (pair.raw_components().unwrap(), auth.to_vec()));
        Device {
            name: name.to_owned(),
            endpoint: format!("{}/push/{name}", self.base),
            p256dh: B64.encode(&public),
            auth: B64.encode(auth),
        }
    }

    /// Answers for the device's next pushes, in order; then 201.
    pub fn script(&self, device: &Device, replies: Vec<Reply>) {
        self.inner.lock().unwrap().script.insert(device.name.clone(), replies.into());
    }

    pub fn received(&self, device: &Device) -> Vec<Received> {
        self.inner.lock().unwrap().received.get(&device.name).cloned().unwrap_or_default()
    }

    /// Waits until the device has seen `n` pushes (panics after 10 s).
    pub async fn wait_for(&self, device: &Device, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received(device);
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "{} got {} pushes, expected {n}", device.name, got.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Pushes that failed verification (must stay empty).
    pub fn failures(&self) -> Vec<String> {
        self.inner.lock().unwrap().failures.clone()
    }
}

async fn receive(
    State(service): State<TestPushService>,
    Path(device): Path<String>,
    version: axum::http::Version,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = service.inner.lock().unwrap().script.get_mut(&device).and_then(VecDeque::pop_front);
    let (status, retry_after, delay) = match reply.unwrap_or(Reply::Status(201)) {
        Reply::Status(s) => (s, None, None),
        Reply::RetryAfter(s, secs) => (s, Some(secs), None),
        Reply::Slow(d, s) => (s, None, Some(d)),
    };
    match verify(&service, &device, &headers, &body) {
        Ok((claims, vapid_key, payload)) => {
            let received = Received {
                at: Instant::now(),
                answered: status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                    .collect(),
                claims,
                vapid_key,
                body_len: body.len(),
                payload,
                version,
            };
            service.inner.lock().unwrap().received.entry(device).or_default().push(received);
        }
        Err(why) => {
            service.inner.lock().unwrap().failures.push(format!("{device}: {why}"));
            return (StatusCode::BAD_REQUEST, why).into_response();
        }
    }
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = StatusCode::from_u16(status).unwrap().into_response();
    if let Some(secs) = retry_after {
        response.headers_mut().insert("retry-after", secs.into());
    }
    response
}

fn verify(
    service: &TestPushService,
    device: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Value, String, Value), String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).ok_or(format!("missing {name}"));
    if header("content-encoding")? != "aes128gcm" {
        return Err("content-encoding is not aes128gcm".into());
    }
    header("ttl")?.parse::<u64>().map_err(|_| "bad TTL")?;
    // Authorization: vapid t=<jwt>, k=<public key>
    let auth = header("authorization")?;
    let rest = auth.strip_prefix("vapid ").ok_or("not a vapid authorization")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let public = B64.decode(key).map_err(|_| "k is not base64url")?;
    let verifier = VerifyingKey::from_sec1_bytes(&public).map_err(|_| "k is not a P-256 point")?;
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("JWT does not have three parts".into());
    }
    let jwt_header: Value =
        serde_json::from_slice(&B64.decode(parts[0]).map_err(|_| "bad JWT header")?).map_err(|_| "bad JWT header")?;
    if jwt_header["alg"] != "ES256" {
        return Err("JWT alg is not ES256".into());
    }
    let signature = Signature::from_slice(&B64.decode(parts[2]).map_err(|_| "bad signature encoding")?)
        .map_err(|_| "bad signature")?;
    verifier
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .map_err(|_| "JWT signature does not verify")?;
    let claims: Value =
        serde_json::from_slice(&B64.decode(parts[1]).map_err(|_| "bad claims")?).map_err(|_| "bad claims")?;
    if claims["aud"] != service.base.as_str() {
        return Err(format!("aud {} is not {}", claims["aud"], service.base));
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let exp = claims["exp"].as_i64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!("exp {exp} is not within 24 h"));
    }
    if !claims["sub"].as_str().is_some_and(|s| s.starts_with("mailto:") || s.starts_with("https:")) {
        return Err("sub is missing or not mailto:/https:".into());
    }
    if body.len() > 4096 {
        return Err(format!("body of {} bytes exceeds 4096", body.len()));
    }
    let (components, auth) = service.inner.lock().unwrap().keys.get(device).cloned().ok_or("unknown device")?;
    let plain = ece::decrypt(&components, &auth, body).map_err(|e| format!("ece cannot decrypt: {e}"))?;
    let payload: Value = serde_json::from_slice(&plain).map_err(|_| "payload is not JSON")?;
    Ok((claims, key.to_owned(), payload))
}
