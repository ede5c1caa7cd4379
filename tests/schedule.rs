//! Scheduled messages against the real server, on both backends: sent once
//! at their time through the normal path, kept across a restart, and never
//! dropped silently when they can no longer be sent.

mod common;

use std::time::Duration;

use app::db::now_ms;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    a_scheduled_message_arrives_at_its_time_once,
    bad_schedules_are_refused_and_cancelled_ones_never_sent,
    scheduled_messages_survive_a_restart,
    a_schedule_that_can_no_longer_be_sent_is_kept_with_the_reason,
    a_schedule_whose_client_id_went_elsewhere_fails_for_good,
);

fn schedule_body(body: &str, send_at: i64) -> Value {
    json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": body, "send_at": send_at})
}

async fn a_scheduled_message_arrives_at_its_time_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let bot = Api::signup(&server, "reminder_bot").await;
    let bob = Api::signup(&server, "bob").await;
    let id = bot.conversation_with(&["bob"]).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;

    let send_at = now_ms() + 1500;
    let request = schedule_body("Stand-up in 10 minutes", send_at);
    let path = format!("/api/v1/conversations/{id}/scheduled");
    let (status, first) = bot.post(&path, request.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = bot.post(&path, request.clone()).await;
    assert_eq!((status, &again["id"]), (200, &first["id"]), "a repeated client_id is not scheduled twice");
    let (_, pending) = bot.get("/api/v1/scheduled").await;
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");

    bob_ws.expect_none_of("message", Duration::from_millis(800)).await;
    let frame = bob_ws.next_of("message").await;
    assert_eq!(frame["message"]["body"], "Stand-up in 10 minutes");
    assert_eq!(frame["message"]["client_id"], request["client_id"]);
    assert!(now_ms() >= send_at, "not before its time");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, history) = bob.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(history.as_array().unwrap().len(), 1, "sent exactly once: {history}");
    let (_, pending) = bot.get("/api/v1/scheduled").await;
    assert_eq!(pending, json!([]), "nothing left pending");
    server.finish().await;
}

async fn bad_schedules_are_refused_and_cancelled_ones_never_sent(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let eve = Api::signup(&server, "eve").await;
    let id = alice.conversation_with(&["bob"]).await;
    let path = format!("/api/v1/conversations/{id}/scheduled");
    let soon = now_ms() + 1000;

    let (status, body) = alice.post(&path, schedule_body("too late", now_ms() - 3_600_000)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_send_at")));
    let (status, body) = alice.post(&path, schedule_body(&"x".repeat(4001), soon)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("message_too_long")));
    let (status, _) = eve.post(&path, schedule_body("not mine", soon)).await;
    assert_eq!(status, 403, "non-members cannot schedule");
    let (status, _) = alice.post("/api/v1/conversations/999999/scheduled", schedule_body("nowhere", soon)).await;
    assert_eq!(status, 404);

    let (status, scheduled) = alice.post(&path, schedule_body("never mind", soon)).await;
    assert_eq!(status, 201);
    let cancel = format!("/api/v1/scheduled/{}", scheduled["id"]);
    let (status, _) = eve.delete(&cancel).await;
    assert_eq!(status, 404, "only its author sees it");
    assert_eq!(alice.delete(&cancel).await.0, 204);
    assert_eq!(alice.delete(&cancel).await.0, 404);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, history) = bob.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(history, json!([]), "a cancelled message is never sent");
    server.finish().await;
}

async fn scheduled_messages_survive_a_restart(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let (status, _) = alice
        .post(&format!("/api/v1/conversations/{id}/scheduled"), schedule_body("after the restart", now_ms() + 1500))
        .await;
    assert_eq!(status, 201);
    let bob_token = bob.token.clone();
    drop((alice, bob));
    let db = server.stop().await;

    let server = TestServer::start_on(db, |_| {}).await;
    let bob = Api::with_token(&server, &bob_token);
    let path = format!("/api/v1/conversations/{id}/messages");
    for _ in 0..50 {
        if !bob.get(&path).await.1.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a second (wrong) send time to show up.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let history = bob.get(&path).await.1;
    assert_eq!(history.as_array().unwrap().len(), 1, "sent once after the restart: {history}");
    assert_eq!(history[0]["body"], "after the restart");
    drop(bob);
    server.finish().await;
}

async fn a_schedule_that_can_no_longer_be_sent_is_kept_with_the_reason(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    alice.know(&["bob"]).await;
    let (status, group) = alice.post("/api/v1/conversations", json!({"members": ["bob"], "title": "Team"})).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_i64().unwrap();
    let (status, _) =
        bob.post(&format!("/api/v1/conversations/{id}/scheduled"), schedule_body("see you all", now_ms() + 1000)).await;
    assert_eq!(status, 201);
    assert_eq!(alice.delete(&format!("/api/v1/conversations/{id}/members/bob")).await.0, 204);

    let mut pending = json!([]);
    for _ in 0..60 {
        pending = bob.get("/api/v1/scheduled").await.1;
        if !pending[0]["error"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(pending[0]["error"].as_str().is_some_and(|e| e.contains("not a member")), "{pending}");
    let (_, history) = alice.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(history, json!([]));
    server.finish().await;
}

/// Its `client_id` was used for another conversation's message before it
/// was due: a conflict that no retry can mend, so it fails at once, once.
async fn a_schedule_whose_client_id_went_elsewhere_fails_for_good(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    Api::signup(&server, "carol").await;
    let (to_bob, to_carol) = (alice.conversation_with(&["bob"]).await, alice.conversation_with(&["carol"]).await);
    let body = schedule_body("later", now_ms() + 1000);
    let (status, _) = alice.post(&format!("/api/v1/conversations/{to_bob}/scheduled"), body.clone()).await;
    assert_eq!(status, 201);
    let now = json!({"client_id": body["client_id"], "body": "now"});
    assert_eq!(alice.post(&format!("/api/v1/conversations/{to_carol}/messages"), now).await.0, 201);

    let mut listed = json!([]);
    for _ in 0..60 {
        listed = alice.get("/api/v1/scheduled").await.1;
        if !listed[0]["error"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let error = listed[0]["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("another conversation"), "{listed}");
    // Not tried again: the reason and the time stay as they were.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, again) = alice.get("/api/v1/scheduled").await;
    assert_eq!(again, listed, "a failed schedule is left alone");
    assert!(alice.history(to_bob).await.is_empty(), "nothing reached bob");
    server.finish().await;
}
