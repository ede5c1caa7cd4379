//! Editing and deleting messages against the real server, on both
//! backends: who may, within what window, the live frames, the tombstone
//! with its text gone, and `resume` replaying the changes a socket missed.

mod common;

use app::clock::Clock;
use common::notify::server;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::json;

backend_tests!(
    the_author_edits_within_the_window_and_members_see_it_live,
    the_author_or_the_group_owner_deletes_and_the_text_is_gone,
    resume_replays_the_edits_and_deletions_a_socket_missed,
);

async fn the_author_edits_within_the_window_and_members_see_it_live(backend: Backend) {
    let clock = Clock::manual(app::db::now_ms());
    let server = server(backend, &clock).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut bob_ws = WsClient::live(&server, &bob.token).await;
    let message = alice.say(id, "See you at 8").await["id"].as_i64().unwrap();
    bob_ws.next_of("message").await;
    let path = format!("/api/v1/messages/{message}");

    let (status, edited) = alice.patch(&path, json!({"body": "See you at 9"})).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["body"], "See you at 9");
    assert!(edited["edited_at"].as_i64().is_some() && edited["rev"].as_i64().unwrap() > 0);
    let frame = bob_ws.next_of("message_edited").await;
    assert_eq!(
        (frame["message"]["id"].clone(), frame["message"]["body"].clone()),
        (json!(message), json!("See you at 9"))
    );
    assert_eq!(bob.history(id).await[0]["body"], "See you at 9");

    // Someone else's message, someone else's conversation, bad text.
    let (status, body) = bob.patch(&path, json!({"body": "hijacked"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = carol.patch(&path, json!({"body": "hijacked"})).await;
    assert_eq!(status, 404, "a stranger cannot tell it exists");
    let (status, body) = alice.patch(&path, json!({"body": "  "})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("empty_message")));
    let (status, _) = alice.patch("/api/v1/messages/999999", json!({"body": "x"})).await;
    assert_eq!(status, 404);

    // The window: a day by default.
    clock.advance(25 * 60 * 60 * 1000);
    let (status, body) = alice.patch(&path, json!({"body": "too late"})).await;
    assert_eq!((status, body["error"]["code"].clone()), (409, json!("edit_window_passed")), "{body}");
    assert_eq!(alice.history(id).await[0]["body"], "See you at 9");
    server.finish().await;
}

async fn the_author_or_the_group_owner_deletes_and_the_text_is_gone(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    alice.know(&["bob", "carol"]).await;
    let (status, group) =
        alice.post("/api/v1/conversations", json!({"members": ["bob", "carol"], "title": "Trip"})).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_i64().unwrap();
    let mut carol_ws = WsClient::live(&server, &carol.token).await;
    let from_bob = bob.say(id, "my address is 1 Secret Lane").await["id"].as_i64().unwrap();
    let from_carol = carol.say(id, "ok").await["id"].as_i64().unwrap();

    // Carol is neither its author nor the owner.
    let (status, body) = carol.delete(&format!("/api/v1/messages/{from_bob}")).await;
    assert_eq!(status, 403, "{body}");
    // The author deletes; everyone sees the tombstone, and the text is gone.
    let (status, _) = bob.delete(&format!("/api/v1/messages/{from_bob}")).await;
    assert_eq!(status, 204);
    let frame = carol_ws.next_of("message_deleted").await;
    assert_eq!((frame["id"].clone(), frame["conversation_id"].clone()), (json!(from_bob), json!(id)));
    let page = carol.history(id).await;
    let tombstone = page.iter().find(|m| m["id"] == from_bob).unwrap();
    assert_eq!((tombstone["deleted"].clone(), tombstone["body"].clone()), (json!(true), json!("")));
    assert_eq!(tombstone["seq"], 1, "the seq stays: no gap");
    let (status, _) = bob.delete(&format!("/api/v1/messages/{from_bob}")).await;
    assert_eq!(status, 204, "again is fine");
    let (status, body) = bob.patch(&format!("/api/v1/messages/{from_bob}"), json!({"body": "back"})).await;
    assert_eq!((status, body["error"]["code"].clone()), (409, json!("message_deleted")));

    // The group's owner may delete anyone's.
    let (status, _) = alice.delete(&format!("/api/v1/messages/{from_carol}")).await;
    assert_eq!(status, 204);
    let (_, list) = carol.get("/api/v1/conversations").await;
    assert_eq!(list[0]["last_message"]["deleted"], true);
    assert_eq!(list[0]["last_message"]["body"], "");
    server.finish().await;
}

async fn resume_replays_the_edits_and_deletions_a_socket_missed(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let first = alice.say(id, "one").await["id"].as_i64().unwrap();
    let second = alice.say(id, "two").await["id"].as_i64().unwrap();
    let third = alice.say(id, "three").await["id"].as_i64().unwrap();
    // Bob's device holds all three, unchanged (rev 0), and goes away.
    alice.patch(&format!("/api/v1/messages/{first}"), json!({"body": "one, edited"})).await;
    alice.delete(&format!("/api/v1/messages/{second}")).await;
    let fourth = alice.say(id, "four").await["id"].as_i64().unwrap();

    let mut ws = WsClient::connect(&server, &bob.token).await;
    let key = id.to_string();
    ws.send(json!({"type": "resume", "after": {key.clone(): third}, "revs": {key.clone(): 0}})).await;
    let mut seen = Vec::new();
    loop {
        let frame = ws.next().await;
        match frame["type"].as_str().unwrap() {
            "message" => seen.push(format!("message {}", frame["message"]["id"])),
            "message_edited" => seen.push(format!("edited {} {}", frame["message"]["id"], frame["message"]["body"])),
            "message_deleted" => seen.push(format!("deleted {}", frame["id"])),
            "resumed" => break,
            _ => {}
        }
    }
    assert_eq!(
        seen,
        [format!("message {fourth}"), format!("edited {first} \"one, edited\""), format!("deleted {second}")],
        "the new message, then the changes in order"
    );
    // A client that already holds the newest change gets none again.
    let rev = bob.history(id).await.iter().map(|m| m["rev"].as_i64().unwrap()).max().unwrap();
    ws.send(json!({"type": "resume", "after": {key.clone(): fourth}, "revs": {key: rev}})).await;
    loop {
        let frame = ws.next().await;
        assert!(!matches!(frame["type"].as_str(), Some("message_edited" | "message_deleted")), "{frame}");
        if frame["type"] == "resumed" {
            break;
        }
    }
    server.finish().await;
}
