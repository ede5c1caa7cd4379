//! Sends one encrypted push over HTTP and classifies the answer. One pooled
//! client (HTTP/2 where offered), bounded concurrency per push service, no
//! redirects, and (unless allowed) only public addresses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use ring::rand::SystemRandom;
use tokio::sync::Semaphore;
use url::Url;

use super::encrypt::encrypt;
use super::jwt::VapidSigner;
use crate::outbound::{self, ClientOptions, error_chain, literal_private};
pub use crate::outbound::{MAX_RETRY_AFTER_SECS, install_crypto_provider};

/// Give up on a request after this long (and retry later).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    High,
    Normal,
}

/// One push to send.
pub struct Push<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a [u8],
    pub auth: &'a [u8],
    pub payload: &'a [u8],
    pub urgency: Urgency,
    /// Same-topic pushes replace each other at the push service.
    pub topic: Option<&'a str>,
}

/// What became of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 201/202.
    Accepted(u16),
    /// 404/410: the subscription no longer exists.
    Gone(u16),
    /// 413: the payload was too large for this push service.
    TooLarge,
    /// Worth another try (429, 406, 5xx, timeouts, network errors).
    Retry { status: Option<u16>, retry_after: Option<Duration>, reason: String },
    /// Will not work however often we try.
    Failed { status: Option<u16>, reason: String },
}

#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// `TTL` header: how long the push service keeps an undelivered push.
    pub ttl: Duration,
    /// Permit plain http and private addresses (development and tests).
    pub allow_private: bool,
    /// Requests in flight per push-service origin.
    pub per_origin: usize,
    /// Root certificates (DER) trusted besides the system's (the tests' and
    /// the bench's self-signed push services).
    pub extra_roots: Vec<Vec<u8>>,
}

const TTL: HeaderName = HeaderName::from_static("ttl");
const URGENCY: HeaderName = HeaderName::from_static("urgency");
const TOPIC: HeaderName = HeaderName::from_static("topic");

pub struct Sender {
    client: reqwest::Client,
    /// TTL, Content-Encoding and Content-Type: the same on every push.
    fixed_headers: HeaderMap,
    signer: VapidSigner,
    rng: SystemRandom,
    config: SenderConfig,
    origins: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Sender {
    pub fn new(signer: VapidSigner, config: SenderConfig) -> Result<Self, reqwest::Error> {
        let client = outbound::client(&ClientOptions {
            allow_private: config.allow_private,
            timeout: REQUEST_TIMEOUT,
            extra_roots: config.extra_roots.clone(),
        })?;
        let mut fixed_headers = HeaderMap::new();
        fixed_headers.insert(TTL, HeaderValue::from(config.ttl.as_secs()));
        fixed_headers.insert(CONTENT_ENCODING, HeaderValue::from_static("aes128gcm"));
        fixed_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        Ok(Self {
            client,
            fixed_headers,
            signer,
            rng: SystemRandom::new(),
            config,
            origins: Mutex::new(HashMap::new()),
        })
    }

    pub fn signer(&self) -> &VapidSigner {
        &self.signer
    }

    pub async fn send(&self, push: Push<'_>) -> Outcome {
        let failed = |reason: &str| Outcome::Failed { status: None, reason: reason.to_owned() };
        let Ok(url) = Url::parse(push.endpoint) else { return failed("invalid endpoint URL") };
        if !self.config.allow_private && literal_private(&url) {
            return failed("endpoint is not a public address");
        }
        if !self.config.allow_private && url.port_or_known_default() != Some(443) {
            return failed("endpoint is not on port 443");
        }
        let origin = url.origin().ascii_serialization();
        let body = match encrypt(push.payload, push.p256dh, push.auth, &self.rng) {
            Ok(body) => body,
            Err(err) => return failed(&err.to_string()),
        };
        let authorization = match self.signer.authorization(&origin, crate::db::now_ms() / 1000) {
            Ok(value) => value,
            Err(_) => return failed("cannot sign the VAPID token"),
        };
        let mut headers = self.fixed_headers.clone();
        headers.insert(AUTHORIZATION, authorization);
        headers
            .insert(URGENCY, HeaderValue::from_static(if push.urgency == Urgency::High { "high" } else { "normal" }));
        if let Some(topic) = push.topic.and_then(|t| HeaderValue::from_str(t).ok()) {
            headers.insert(TOPIC, topic);
        }
        let permit = self.limit(&origin).acquire_owned().await;
        let result = self.client.post(url).headers(headers).body(body).send().await;
        drop(permit);
        match result {
            Ok(response) => classify(response.status().as_u16(), response.headers().get(RETRY_AFTER)),
            Err(err) if err.is_timeout() => {
                Outcome::Retry { status: None, retry_after: None, reason: "timed out".into() }
            }
            // Without the URL: an endpoint is a bearer capability for its
            // subscription and must not reach logs or `last_error`.
            Err(err) => Outcome::Retry { status: None, retry_after: None, reason: error_chain(&err.without_url()) },
        }
    }

    fn limit(&self, origin: &str) -> Arc<Semaphore> {
        let mut origins = self.origins.lock().expect("origin limits");
        origins.entry(origin.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(self.config.per_origin))).clone()
    }
}

/// Maps a push service's status to what we do next (RFC 8030 §5, plus
/// 406, which one push service uses for rate limiting).
pub fn classify(status: u16, retry_after: Option<&HeaderValue>) -> Outcome {
    // Capped here (and again by the queue): a hostile value can neither keep
    // a push waiting for years nor overflow a timestamp.
    let retry_after = outbound::retry_after(retry_after);
    match status {
        200..=299 => Outcome::Accepted(status),
        404 | 410 => Outcome::Gone(status),
        413 => Outcome::TooLarge,
        429 | 406 | 500..=599 => {
            Outcome::Retry { status: Some(status), retry_after, reason: format!("push service answered {status}") }
        }
        _ => Outcome::Failed { status: Some(status), reason: format!("push service answered {status}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_documented_outcomes() {
        assert_eq!(classify(201, None), Outcome::Accepted(201));
        assert_eq!(classify(202, None), Outcome::Accepted(202));
        assert_eq!(classify(404, None), Outcome::Gone(404));
        assert_eq!(classify(410, None), Outcome::Gone(410));
        assert_eq!(classify(413, None), Outcome::TooLarge);
        let retry = classify(429, Some(&HeaderValue::from_static("7")));
        assert!(
            matches!(retry, Outcome::Retry { status: Some(429), retry_after: Some(d), .. } if d == Duration::from_secs(7))
        );
        assert!(matches!(classify(406, None), Outcome::Retry { .. }));
        assert!(matches!(classify(503, None), Outcome::Retry { .. }));
        assert!(matches!(classify(400, None), Outcome::Failed { status: Some(400), .. }));
        assert!(matches!(classify(403, None), Outcome::Failed { .. }));
    }
}
