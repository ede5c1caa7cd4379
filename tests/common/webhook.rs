//! A webhook receiver for the tests: it records each POST, checks its
//! `Tidings-Signature` with RustCrypto's HMAC (the server signs with ring),
//! and answers as the test scripts it (a status, a `Retry-After`, a
//! redirect); 200 once the script runs out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// How the receiver answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// `302 Found` to this URL.
    Redirect(String),
    /// No answer for this long (longer than the server's timeout).
    Hang(Duration),
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub raw: String,
    pub body: Value,
    pub event_id: String,
    /// The signature header verified against the secret, and its `t`.
    pub signature_ok: bool,
    pub timestamp: i64,
}

#[derive(Default)]
struct Shared {
    seen: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    secret: Mutex<String>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    _task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, shared, _task: task }
    }

    /// The signing secret to verify with (shown when the bot was made).
    pub fn verify_with(&self, secret: &str) {
        *self.shared.secret.lock().unwrap() = secret.to_owned();
    }

    /// The next answers, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.script.lock().unwrap().extend(replies);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            let seen = self.received();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the webhook received {} requests, not {n}", self.received().len());
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let raw = String::from_utf8_lossy(&body).into_owned();
    let signature = headers.get("tidings-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let secret = shared.secret.lock().unwrap().clone();
    let (signature_ok, timestamp) = verify(&secret, signature, &body);
    shared.seen.lock().unwrap().push(Received {
        at: Instant::now(),
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
        event_id: headers.get("tidings-event-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned(),
        signature_ok,
        timestamp,
    });
    let reply = shared.script.lock().unwrap().pop_front().unwrap_or(Reply::Status(200));
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::RetryAfter(code, secs) => {
            (StatusCode::from_u16(code).unwrap(), [(header::RETRY_AFTER, secs.to_string())]).into_response()
        }
        Reply::Redirect(to) => (StatusCode::FOUND, [(header::LOCATION, to)]).into_response(),
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            StatusCode::OK.into_response()
        }
    }
}

/// `t=<unix>,v1=<hex>`: the MAC of `"<t>.<body>"`, compared in constant time.
fn verify(secret: &str, header: &str, body: &[u8]) -> (bool, i64) {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return (false, 0) };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    (mac.verify_slice(&v1).is_ok(), t)
}
