//! Reactions against the real server, on both backends: toggling, who
//! reacted in history and live, no push for them, the limits, and
//! `resume` replaying the reactions a socket missed.

mod common;

use common::push_service::TestPushService;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    reactions_toggle_show_in_history_and_go_live_without_a_push,
    bad_emoji_strangers_tombstones_and_walls_are_refused,
    resume_replays_the_reactions_a_socket_missed,
);

fn path(message: i64, emoji: &str) -> String {
    format!("/api/v1/messages/{message}/reactions/{emoji}")
}

/// `[(emoji, count, users)]`, as the API shows a message's reactions.
fn summary(reactions: &Value) -> Vec<(String, i64, Vec<String>)> {
    reactions
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| {
                    let users = r["users"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_owned()).collect();
                    (r["emoji"].as_str().unwrap().to_owned(), r["count"].as_i64().unwrap(), users)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entry(emoji: &str, users: &[&str]) -> (String, i64, Vec<String>) {
    (emoji.to_owned(), users.len() as i64, users.iter().map(|u| u.to_string()).collect())
}

async fn reactions_toggle_show_in_history_and_go_live_without_a_push(backend: Backend) {
    // A server that may push to the local test push service.
    let server = common::notify::server(backend, &app::clock::Clock::system()).await;
    let push = TestPushService::start().await;
    let phone = push.device("alice-phone");
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let (status, _) = alice.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    assert_eq!(status, 201);
    let id = alice.conversation_with(&["bob"]).await;
    let message = alice.say(id, "Dinner at 8?").await["id"].as_i64().unwrap();
    let mut bob_ws = WsClient::live(&server, &bob.token).await;

    let (status, body) = bob.put(&path(message, "👍"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(summary(&body["reactions"]), [entry("👍", &["bob"])]);
    assert!(body["rev"].as_i64().unwrap() > 0);
    let frame = bob_ws.next_of("reaction").await;
    assert_eq!((frame["message_id"].clone(), frame["conversation_id"].clone()), (json!(message), json!(id)));
    assert_eq!(summary(&frame["reactions"]), [entry("👍", &["bob"])]);

    // Again: the same, and nothing new goes out.
    let (status, again) = bob.put(&path(message, "👍"), json!({})).await;
    assert_eq!((status, again["rev"].clone()), (200, body["rev"].clone()));

    let (status, _) = alice.put(&path(message, "👍"), json!({})).await;
    assert_eq!(status, 200);
    let (_, body) = alice.put(&path(message, "%E2%9D%A4%EF%B8%8F"), json!({})).await;
    assert_eq!(summary(&body["reactions"]), [entry("👍", &["bob", "alice"]), entry("❤️", &["alice"])]);
    let history = bob.history(id).await;
    assert_eq!(summary(&history[0]["reactions"]), [entry("👍", &["bob", "alice"]), entry("❤️", &["alice"])]);

    let (status, body) = bob.delete(&path(message, "👍")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(summary(&body["reactions"]), [entry("👍", &["alice"]), entry("❤️", &["alice"])]);
    let (status, body) = bob.delete(&path(message, "👍")).await;
    assert_eq!((status, summary(&body["reactions"]).len()), (200, 2), "taking back twice is a no-op");

    // Alice is away with her phone: Bob's reply pushes, his reactions did not.
    bob.say(id, "Yes!").await;
    let got = push.wait_for(&phone, 1).await;
    assert_eq!(got[0].payload["body"], "Yes!", "the first push is the reply, not a reaction");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(push.received(&phone).len(), 1);
    server.finish().await;
}

async fn bad_emoji_strangers_tombstones_and_walls_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    let id = alice.conversation_with(&["bob"]).await;
    let message = alice.say(id, "hello").await["id"].as_i64().unwrap();

    for bad in ["a", "👍👍", ":+1:", "thumbs%20up", "👍%20"] {
        let (status, body) = bob.put(&path(message, bad), json!({})).await;
        assert_eq!((status, body["error"]["code"].clone()), (422, json!("invalid_emoji")), "{bad}: {body}");
    }
    let (status, _) = bob.put(&path(message, "%F0%9F"), json!({})).await;
    assert_eq!(status, 400, "half an emoji is not text");
    let (status, _) = carol.put(&path(message, "👍"), json!({})).await;
    assert_eq!(status, 404, "a stranger cannot tell it exists");
    let (status, _) = bob.put(&path(999_999, "👍"), json!({})).await;
    assert_eq!(status, 404);

    // Twenty kinds at most; a twenty-first is refused, more of one is fine.
    let kinds = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗", "😙", "🥲", "🙂", "🤗"];
    for emoji in kinds {
        let (status, body) = bob.put(&path(message, emoji), json!({})).await;
        assert_eq!(status, 200, "{emoji}: {body}");
    }
    let (status, body) = bob.put(&path(message, "🤩"), json!({})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("too_many_reactions")), "{body}");
    let (status, _) = alice.put(&path(message, "😀"), json!({})).await;
    assert_eq!(status, 200, "one more of a kind already there");

    // A deleted message loses its reactions and takes no more.
    alice.delete(&format!("/api/v1/messages/{message}")).await;
    assert!(bob.history(id).await[0].get("reactions").is_none_or(|r| r == &json!([])));
    let (status, body) = bob.put(&path(message, "👍"), json!({})).await;
    assert_eq!((status, body["error"]["code"].clone()), (409, json!("message_deleted")));
    server.finish().await;
}

async fn resume_replays_the_reactions_a_socket_missed(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let message = bob.say(id, "I passed the exam").await["id"].as_i64().unwrap();
    // Bob's device holds the message unchanged, and goes away.
    alice.put(&path(message, "🎉"), json!({})).await;

    let mut ws = WsClient::connect(&server, &bob.token).await;
    let key = id.to_string();
    ws.send(json!({"type": "resume", "after": {key.clone(): message}, "revs": {key: 0}})).await;
    let mut replayed = None;
    loop {
        let frame = ws.next().await;
        match frame["type"].as_str().unwrap() {
            "message_edited" => replayed = Some(frame["message"].clone()),
            "resumed" => break,
            _ => {}
        }
    }
    let replayed = replayed.expect("the reaction is replayed");
    assert_eq!(replayed["id"], message);
    assert_eq!(summary(&replayed["reactions"]), [entry("🎉", &["alice"])]);
    assert!(replayed.get("edited_at").is_none(), "a reaction is not an edit");
    server.finish().await;
}
