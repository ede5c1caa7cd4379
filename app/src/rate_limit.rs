//! Per-client rate limits (server only), on the `governor` crate: sign-up and
//! sign-in per IP address, sending and test pushes per user.

use std::{hash::Hash, net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

use crate::error::AppError;

/// How many requests a client may burst, and how fast the allowance refills.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize)]
pub struct Limit {
    pub burst: u32,
    pub per_minute: u32,
}

/// The server's limiters; cloned handles share state.
#[derive(Clone)]
pub struct RateLimits {
    pub auth: Arc<Keyed<IpAddr>>,
    pub send: Arc<Keyed<i64>>,
    /// Test notifications: each one is a push to every device of the user,
    /// so one account could otherwise fill the queue for everyone.
    pub push_test: Arc<Keyed<i64>>,
    /// Password changes per user: each one is a password guess.
    pub password: Arc<Keyed<i64>>,
    /// "Typing" notices per user: each is a frame to every member.
    pub typing: Arc<Keyed<i64>>,
    /// Posts per incoming webhook.
    pub hooks: Arc<Keyed<i64>>,
    /// Appends to streamed replies per author: each is a frame to every member.
    pub append: Arc<Keyed<i64>>,
    /// Reaction toggles per user: each is a frame to every member.
    pub react: Arc<Keyed<i64>>,
    /// Searches per user: each one reads the full-text index.
    pub search: Arc<Keyed<i64>>,
}

/// "Typing" per user: a bot renewing it every second stays well inside.
pub const TYPING: Limit = Limit { burst: 20, per_minute: 120 };

/// Posts through one incoming webhook: a burst (a CI run's steps), then one a second.
pub const HOOK: Limit = Limit { burst: 20, per_minute: 60 };

/// Appends per author: an agent streaming tokens at 50 a second (two
/// replies at once) stays inside; more is a runaway loop.
pub const APPEND: Limit = Limit { burst: 200, per_minute: 6000 };

/// Reaction toggles per user: a person tapping fast stays well inside.
pub const REACT: Limit = Limit { burst: 30, per_minute: 120 };

/// Searches per user: typing a query (one search a pause) stays inside.
pub const SEARCH: Limit = Limit { burst: 30, per_minute: 120 };

/// Test notifications per user: a few in a row, then one a minute.
pub const PUSH_TEST: Limit = Limit { burst: 3, per_minute: 1 };

impl RateLimits {
    pub fn new(auth: Limit, send: Limit) -> Self {
        Self {
            auth: Arc::new(Keyed::new(auth)),
            send: Arc::new(Keyed::new(send)),
            push_test: Arc::new(Keyed::new(PUSH_TEST)),
            password: Arc::new(Keyed::new(auth)),
            typing: Arc::new(Keyed::new(TYPING)),
            hooks: Arc::new(Keyed::new(HOOK)),
            append: Arc::new(Keyed::new(APPEND)),
            react: Arc::new(Keyed::new(REACT)),
            search: Arc::new(Keyed::new(SEARCH)),
        }
    }

    /// Forgets idle keys, so the maps do not grow without bound.
    pub fn retain_recent(&self) {
        self.auth.limiter.retain_recent();
        self.send.limiter.retain_recent();
        self.push_test.limiter.retain_recent();
        self.password.limiter.retain_recent();
        self.typing.limiter.retain_recent();
        self.hooks.limiter.retain_recent();
        self.append.limiter.retain_recent();
        self.react.limiter.retain_recent();
        self.search.limiter.retain_recent();
    }
}

/// A keyed limiter that answers with [`AppError::RateLimited`].
pub struct Keyed<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(limit: Limit) -> Self {
        let per_minute = NonZeroU32::new(limit.per_minute.max(1)).expect("max(1) is non-zero");
        let burst = NonZeroU32::new(limit.burst.max(1)).expect("max(1) is non-zero");
        Self { limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)) }
    }

    /// Takes one unit for `key`, or says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), AppError> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            AppError::RateLimited { retry_after: ceil_secs(wait) }
        })
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_429_with_retry_after() {
        let limits = RateLimits::new(Limit { burst: 2, per_minute: 1 }, Limit { burst: 1, per_minute: 60 });
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(limits.auth.check(&ip).is_ok());
        assert!(limits.auth.check(&ip).is_ok());
        match limits.auth.check(&ip) {
            Err(AppError::RateLimited { retry_after }) => assert!((1..=60).contains(&retry_after)),
            other => panic!("expected 429, got {other:?}"),
        }
        // Another client is unaffected.
        assert!(limits.auth.check(&"10.0.0.2".parse().unwrap()).is_ok());
    }
}
