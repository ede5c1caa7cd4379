//! Abuse paths a stranger or one account could take, closed: test pushes
//! and queued jobs are capped, an endpoint that changes hands takes no one
//! else's pushes, a socket cannot flood, schedules are capped and fair, and
//! no endpoint URL reaches `last_error`. The real router, both backends.

mod common;

use std::time::{Duration, Instant};

use app::db::now_ms;
use common::push_service::TestPushService;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    test_pushes_are_rate_limited_per_user,
    pending_pushes_per_device_are_capped,
    an_endpoint_that_changes_hands_drops_the_previous_owners_pushes,
    a_socket_cannot_flood_typing_visibility_or_resume,
    sockets_per_user_are_capped,
    scheduled_messages_are_capped_per_author_and_sent_fairly,
    last_error_never_holds_the_endpoint_url,
);

/// Push workers off: queued jobs stay pending, for counting.
async fn queue_only(backend: Backend) -> TestServer {
    TestServer::start_with(backend, |c| {
        c.push.allow_private = true;
        c.push.workers = 0;
    })
    .await
}

async fn pending(api: &Api<'_>) -> usize {
    let (status, list) = api.get("/api/v1/push/deliveries?status=pending").await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().len()
}

async fn test_pushes_are_rate_limited_per_user(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    for _ in 0..app::rate_limit::PUSH_TEST.burst {
        assert_eq!(alice.post("/api/v1/push/test", json!({})).await.0, 422, "no device yet");
    }
    let r =
        reqwest::Client::new().post(server.url("/api/v1/push/test")).bearer_auth(&alice.token).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(bob.post("/api/v1/push/test", json!({})).await.0, 422, "another user is not held back");
    server.finish().await;
}

async fn pending_pushes_per_device_are_capped(backend: Backend) {
    let server = queue_only(backend).await;
    let push = TestPushService::start().await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    bob.post("/api/v1/push/subscriptions", push.device("phone").subscription_json()).await;
    let id = alice.conversation_with(&["bob"]).await;
    let cap = app::queue::store::MAX_PENDING_PER_TARGET as usize;
    for i in 0..cap + 20 {
        let body = json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": format!("message {i}")});
        assert_eq!(alice.post(&format!("/api/v1/conversations/{id}/messages"), body).await.0, 201);
    }
    assert_eq!(pending(&bob).await, cap, "the device's queue stops at its cap");
    let (_, history) = bob.get(&format!("/api/v1/conversations/{id}/messages?limit=200")).await;
    assert_eq!(history.as_array().unwrap().len(), cap + 20, "every message is still stored");
    server.finish().await;
}

async fn an_endpoint_that_changes_hands_drops_the_previous_owners_pushes(backend: Backend) {
    let server = queue_only(backend).await;
    let push = TestPushService::start().await;
    let shared = push.device("shared-browser");
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    assert_eq!(bob.post("/api/v1/push/subscriptions", shared.subscription_json()).await.0, 201);
    let id = alice.conversation_with(&["bob"]).await;
    for _ in 0..3 {
        let body = json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "for bob only"});
        alice.post(&format!("/api/v1/conversations/{id}/messages"), body).await;
    }
    assert_eq!(pending(&bob).await, 3);
    // Bob signs out without unsubscribing; Carol signs in on the same browser.
    assert_eq!(carol.post("/api/v1/push/subscriptions", shared.subscription_json()).await.0, 201);
    assert_eq!(pending(&bob).await, 0, "bob's pushes would have reached carol's screen");
    assert_eq!(pending(&carol).await, 0);
    server.finish().await;
}

/// Error frames until `wait` passes quietly.
async fn errors(ws: &mut WsClient, wait: Duration) -> Vec<Value> {
    let mut found = Vec::new();
    while let Some(frame) = ws.next_within(wait).await {
        if frame["type"] == "error" {
            found.push(frame);
        }
    }
    found
}

async fn a_socket_cannot_flood_typing_visibility_or_resume(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut alice_ws = WsClient::connect(&server, &alice.token).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    for _ in 0..30 {
        alice_ws.send(json!({"type": "typing", "conversation_id": id})).await;
    }
    let refused = errors(&mut alice_ws, Duration::from_millis(700)).await;
    assert!(refused.len() >= 20 && refused.iter().all(|f| f["code"] == "rate_limited"), "{refused:?}");
    let mut typing = 0;
    while let Some(frame) = bob_ws.next_within(Duration::from_millis(300)).await {
        typing += usize::from(frame["type"] == "typing");
    }
    assert!(typing <= 5, "only the allowed burst was fanned out, got {typing}");

    let too_many: serde_json::Map<String, Value> = (1..=300).map(|i| (i.to_string(), json!(0))).collect();
    alice_ws.send(json!({"type": "resume", "after": too_many})).await;
    let refused = errors(&mut alice_ws, Duration::from_millis(500)).await;
    assert_eq!(refused.first().map(|f| f["code"].clone()), Some(json!("too_many_keys")), "{refused:?}");

    // Visibility (10 in a row) and resume (3 in a row) are cut the same way.
    for i in 0..20 {
        alice_ws.send(json!({"type": "visibility", "visible": i % 2 == 0})).await;
    }
    let refused = errors(&mut alice_ws, Duration::from_millis(700)).await;
    assert!(refused.len() >= 9 && refused.iter().all(|f| f["code"] == "rate_limited"), "visibility: {refused:?}");
    for _ in 0..6 {
        alice_ws.send(json!({"type": "resume", "after": {}})).await;
    }
    let refused = errors(&mut alice_ws, Duration::from_millis(700)).await;
    assert!(refused.len() >= 3 && refused.iter().all(|f| f["code"] == "rate_limited"), "resume: {refused:?}");
    server.finish().await;
}

async fn sockets_per_user_are_capped(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let mut open = Vec::new();
    for _ in 0..app::live::hub::MAX_SOCKETS_PER_USER {
        open.push(WsClient::connect(&server, &alice.token).await);
    }
    let refused = WsClient::refused(&server, &alice.token).await;
    assert!(refused.contains("422"), "{refused}");
    let bob = Api::signup(&server, "bob").await;
    WsClient::connect(&server, &bob.token).await;
    drop(open);
    server.finish().await;
}

async fn scheduled_messages_are_capped_per_author_and_sent_fairly(backend: Backend) {
    let server = TestServer::start(backend).await;
    let busy = Api::signup(&server, "busy_bot").await;
    let quiet = Api::signup(&server, "quiet_bot").await;
    let bob = Api::signup(&server, "bob").await;
    let busy_room = busy.conversation_with(&["bob"]).await;
    let quiet_room = quiet.conversation_with(&["bob"]).await;
    let cap = app::chat::schedule::MAX_PENDING_PER_AUTHOR;
    // All due at once, the busy bot's first: a queue in time order would
    // send the quiet bot's last.
    let now = now_ms();
    let schedule = |i: i64| json!({"client_id": uuid::Uuid::from_u128(i as u128 + 1).to_string(), "body": format!("busy {i}"), "send_at": now + 1500});
    for i in 0..cap {
        let (status, body) = busy.post(&format!("/api/v1/conversations/{busy_room}/scheduled"), schedule(i)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = busy.post(&format!("/api/v1/conversations/{busy_room}/scheduled"), schedule(cap)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("too_many_scheduled")));
    let again = busy.post(&format!("/api/v1/conversations/{busy_room}/scheduled"), schedule(0)).await;
    assert_eq!(again.0, 200, "repeating one already scheduled is not a new one");
    let quiet_one = json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "quiet", "send_at": now + 1500});
    assert_eq!(quiet.post(&format!("/api/v1/conversations/{quiet_room}/scheduled"), quiet_one).await.0, 201);

    let deadline = Instant::now() + Duration::from_secs(20);
    let quiet_id = loop {
        let (_, history) = bob.get(&format!("/api/v1/conversations/{quiet_room}/messages")).await;
        if let Some(message) = history.as_array().unwrap().first() {
            break message["id"].as_i64().unwrap();
        }
        assert!(Instant::now() < deadline, "the quiet bot's message was never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let busy_ids: Vec<i64> = loop {
        let (_, history) = bob.get(&format!("/api/v1/conversations/{busy_room}/messages?limit=200")).await;
        let ids: Vec<i64> = history.as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
        if ids.len() as i64 == cap {
            break ids;
        }
        assert!(Instant::now() < deadline, "only {} of the busy bot's were sent", ids.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let before_quiet = busy_ids.iter().filter(|id| **id < quiet_id).count();
    assert!(before_quiet < 40, "the quiet bot waited behind {before_quiet} of the busy bot's messages");
    server.finish().await;
}

async fn last_error_never_holds_the_endpoint_url(backend: Backend) {
    let server = TestServer::start_with(backend, |c| {
        c.push.allow_private = true;
        c.push.max_attempts = 1;
    })
    .await;
    let push = TestPushService::start().await;
    let mut device = push.device("phone");
    // Nothing listens on port 9 of this machine: the request itself fails.
    device.endpoint = "http://127.0.0.1:9/push/secret-capability-token".into();
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    assert_eq!(bob.post("/api/v1/push/subscriptions", device.subscription_json()).await.0, 201);
    let id = alice.conversation_with(&["bob"]).await;
    alice
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi"}),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let dead = loop {
        let (_, dead) = bob.get("/api/v1/push/deliveries?status=dead").await;
        if let Some(job) = dead.as_array().unwrap().first() {
            break job.clone();
        }
        assert!(Instant::now() < deadline, "the push never failed for good");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let error = dead["last_error"].as_str().unwrap_or_default();
    assert!(!error.is_empty(), "the reason is kept: {dead}");
    assert!(!error.contains("secret-capability-token") && !error.contains("127.0.0.1:9"), "{error}");
    server.finish().await;
}
