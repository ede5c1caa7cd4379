//! Helpers of the notification-centre tests: a server on a given clock,
//! publishing, and reading the inbox.

use std::time::Duration;

use app::clock::Clock;
use serde_json::Value;

use super::{Api, Backend, TestServer};

pub async fn server(backend: Backend, clock: &Clock) -> TestServer {
    let clock = clock.clone();
    TestServer::start_with(backend, move |c| {
        c.push.allow_private = true;
        c.push.retry_base_ms = 100;
        c.clock = clock;
    })
    .await
}

pub async fn notify(api: &Api<'_>, body: Value) -> (u16, Value) {
    api.post("/api/v1/notifications", body).await
}

/// Waits (on real time) until the scheduler has seen the clock move.
pub async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

pub async fn count(api: &Api<'_>) -> i64 {
    api.get("/api/v1/notifications/unread-count").await.1["notifications"].as_i64().unwrap()
}

pub async fn inbox(api: &Api<'_>) -> Vec<Value> {
    let (status, list) = api.get("/api/v1/notifications").await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}
