//! Mentions and notification levels against the real server, on both
//! backends: `@names` resolved to members and kept through edits and
//! deletion, unread mentions per conversation, and the levels deciding
//! who a message pushes (decrypted by the test push service).

mod common;

use std::time::Duration;

use common::push_service::{Device, TestPushService};
use common::{Api, Backend};
use serde_json::{Value, json};

backend_tests!(
    mentions_are_resolved_to_members_and_counted_until_read,
    the_level_decides_who_a_message_pushes,
    groups_of_more_than_ten_default_to_mentions,
);

fn names(message: &Value) -> Vec<String> {
    let list = message["mentions"].as_array().cloned().unwrap_or_default();
    list.iter().map(|m| m["username"].as_str().unwrap().to_owned()).collect()
}

async fn unread_mentions(api: &Api<'_>, id: i64) -> i64 {
    let (status, conversation) = api.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(status, 200, "{conversation}");
    conversation["unread_mentions"].as_i64().unwrap()
}

async fn mentions_are_resolved_to_members_and_counted_until_read(backend: Backend) {
    let server = common::TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    let _dave = Api::signup(&server, "dave").await;
    alice.know(&["bob", "carol"]).await;
    let (status, group) = alice.post("/api/v1/conversations", json!({"members": ["bob", "carol"]})).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_i64().unwrap();

    // Bob is a member; dave is not, nobody does not exist, an address is no mention.
    let message = alice.say(id, "hi @Bob, ask @dave or @nobody; mail bob@example.com").await;
    assert_eq!(names(&message), ["bob"]);
    let message_id = message["id"].as_i64().unwrap();
    assert_eq!(names(&bob.history(id).await[0]), ["bob"], "history carries them");
    assert_eq!((unread_mentions(&bob, id).await, unread_mentions(&carol, id).await), (1, 0));
    let (_, list) = bob.get("/api/v1/conversations").await;
    assert_eq!(list[0]["unread_mentions"], 1, "the list says so too");

    let (status, _) = bob.post(&format!("/api/v1/conversations/{id}/read"), json!({"message_id": message_id})).await;
    assert_eq!(status, 204);
    assert_eq!(unread_mentions(&bob, id).await, 0, "read: no longer unread");

    // An edit names people anew; a deletion forgets them.
    let (status, edited) = alice.patch(&format!("/api/v1/messages/{message_id}"), json!({"body": "@carol, you then"})).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(names(&edited), ["carol"]);
    assert_eq!(unread_mentions(&carol, id).await, 1);
    let (status, _) = alice.delete(&format!("/api/v1/messages/{message_id}")).await;
    assert_eq!(status, 204);
    assert_eq!(unread_mentions(&carol, id).await, 0);
    assert!(names(&carol.history(id).await[0]).is_empty());

    // Mentioning myself marks the text but counts for no one.
    let mine = alice.say(id, "note to @alice").await;
    assert_eq!(names(&mine), ["alice"]);
    assert_eq!(unread_mentions(&alice, id).await, 0);
    server.finish().await;
}

async fn subscribe(api: &Api<'_>, device: &Device) {
    let (status, body) = api.post("/api/v1/push/subscriptions", device.subscription_json()).await;
    assert_eq!(status, 201, "{body}");
}

/// The push bodies a device has received, once `n` arrived and a moment
/// passed for any that should not have.
async fn bodies(push: &TestPushService, device: &Device, n: usize) -> Vec<String> {
    push.wait_for(device, n).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    push.received(device).iter().map(|r| r.payload["body"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn the_level_decides_who_a_message_pushes(backend: Backend) {
    let server = common::notify::server(backend, &app::clock::Clock::system()).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let stranger = Api::signup(&server, "mallory").await;
    subscribe(&bob, &phone).await;
    let id = alice.conversation_with(&["bob"]).await;
    let notify = format!("/api/v1/conversations/{id}/notify");
    let (_, shown) = bob.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((shown["notify_level"].clone(), shown["notify_default"].clone()), (json!("all"), json!(true)));

    // Mentions only: a plain message does not push, a mention does.
    let (status, body) = bob.put(&notify, json!({"level": "mentions"})).await;
    assert_eq!(status, 204, "{body}");
    alice.say(id, "plain news").await;
    alice.say(id, "@bob look at this").await;
    assert_eq!(bodies(&push, &phone, 1).await, ["@bob look at this"]);

    // Nothing: not even a mention.
    bob.put(&notify, json!({"level": "none"})).await;
    alice.say(id, "@bob are you there?").await;
    let (_, shown) = bob.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((shown["notify_level"].clone(), shown["muted"].clone()), (json!("none"), json!(true)));

    // Back to the default: a direct conversation pushes everything.
    bob.put(&notify, json!({"level": null})).await;
    alice.say(id, "plain again").await;
    assert_eq!(bodies(&push, &phone, 2).await, ["@bob look at this", "plain again"]);

    let (status, body) = bob.put(&notify, json!({"level": "loud"})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("invalid_body")), "{body}");
    let (status, _) = stranger.put(&notify, json!({"level": "all"})).await;
    assert_eq!(status, 403, "not a member");
    let (status, _) = bob.put("/api/v1/conversations/999999/notify", json!({"level": "all"})).await;
    assert_eq!(status, 404);
    server.finish().await;
}

async fn groups_of_more_than_ten_default_to_mentions(backend: Backend) {
    let server = common::notify::server(backend, &app::clock::Clock::system()).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    subscribe(&bob, &phone).await;
    let mut others = vec!["bob".to_owned()];
    for i in 0..8 {
        let name = format!("member{i}");
        Api::signup(&server, &name).await;
        others.push(name);
    }
    alice.know(&others.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let (status, group) = alice.post("/api/v1/conversations", json!({"members": others})).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_i64().unwrap();
    let level = || async { bob.get(&format!("/api/v1/conversations/{id}")).await.1["notify_level"].clone() };
    assert_eq!(level().await, "all", "ten members: every message");
    alice.say(id, "ten of us").await;
    push.wait_for(&phone, 1).await;

    // An eleventh member: the default follows the group.
    Api::signup(&server, "member9").await;
    alice.conversation_with(&["member9"]).await;
    let (status, _) = alice.post(&format!("/api/v1/conversations/{id}/members"), json!({"username": "member9"})).await;
    assert_eq!(status, 200);
    assert_eq!(level().await, "mentions");
    alice.say(id, "eleven now").await;
    alice.say(id, "@bob only you").await;
    assert_eq!(bodies(&push, &phone, 2).await, ["ten of us", "@bob only you"]);

    // A choice outlasts the default; the old mute route is level none.
    bob.put(&format!("/api/v1/conversations/{id}/notify"), json!({"level": "all"})).await;
    assert_eq!(level().await, "all");
    let (status, _) = bob.put(&format!("/api/v1/conversations/{id}/mute"), json!({"muted": true})).await;
    assert_eq!(status, 204);
    assert_eq!(level().await, "none");
    server.finish().await;
}
