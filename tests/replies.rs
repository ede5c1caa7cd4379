//! Replies against the real server, on both backends: `reply_to` over
//! REST and the socket, the quote in history and live, following the
//! original's edit and deletion, and a reply to another conversation's
//! message refused.

mod common;

use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::json;

backend_tests!(
    a_reply_carries_a_quote_of_the_original_in_history_and_live,
    a_reply_to_a_message_elsewhere_is_refused,
);

async fn a_reply_carries_a_quote_of_the_original_in_history_and_live(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let long = format!("Shall we meet at the station {}", "and then walk ".repeat(20));
    let original = alice.say(id, &long).await["id"].as_i64().unwrap();
    let mut alice_ws = WsClient::live(&server, &alice.token).await;

    // Over REST.
    let (status, reply) = bob
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "Yes, at 6", "reply_to": original}),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let quote = &reply["reply_to"];
    assert_eq!((quote["id"].clone(), quote["author"].clone()), (json!(original), json!("alice")));
    let snippet = quote["body"].as_str().unwrap();
    assert!(snippet.starts_with("Shall we meet at the station") && snippet.ends_with('…'), "{snippet}");
    assert_eq!(snippet.chars().count(), 141, "140 characters and an ellipsis");
    let frame = alice_ws.next_of("message").await;
    assert_eq!(frame["message"]["reply_to"], reply["reply_to"]);

    // Over the socket.
    let mut bob_ws = WsClient::live(&server, &bob.token).await;
    let client_id = uuid::Uuid::new_v4().to_string();
    bob_ws
        .send(json!({"type": "send", "conversation_id": id, "client_id": client_id, "body": "or 7", "reply_to": original}))
        .await;
    let ack = bob_ws.next_of("ack").await;
    let history = alice.history(id).await;
    let second = history.iter().find(|m| m["id"] == ack["id"]).unwrap();
    assert_eq!(second["reply_to"]["id"], original);
    assert!(history[0].get("reply_to").is_none(), "the original answers nothing");

    // The quote follows the original: its edit, then its deletion.
    alice.patch(&format!("/api/v1/messages/{original}"), json!({"body": "Meet at the station?"})).await;
    assert_eq!(alice.history(id).await[1]["reply_to"]["body"], "Meet at the station?");
    alice.delete(&format!("/api/v1/messages/{original}")).await;
    let quote = alice.history(id).await[1]["reply_to"].clone();
    assert_eq!((quote["deleted"].clone(), quote["body"].clone()), (json!(true), json!("")), "{quote}");
    server.finish().await;
}

async fn a_reply_to_a_message_elsewhere_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    Api::signup(&server, "carol").await;
    let with_bob = alice.conversation_with(&["bob"]).await;
    let with_carol = alice.conversation_with(&["carol"]).await;
    let elsewhere = alice.say(with_carol, "for carol only").await["id"].as_i64().unwrap();
    for reply_to in [json!(elsewhere), json!(999_999)] {
        let (status, body) = alice
            .post(
                &format!("/api/v1/conversations/{with_bob}/messages"),
                json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi", "reply_to": reply_to}),
            )
            .await;
        assert_eq!((status, body["error"]["code"].clone()), (422, json!("invalid_reply_to")), "{body}");
    }
    assert!(alice.history(with_bob).await.is_empty(), "nothing was stored");
    let (status, _) = alice
        .post(
            &format!("/api/v1/conversations/{with_bob}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi", "reply_to": "x"}),
        )
        .await;
    assert_eq!(status, 422, "a reply_to that is not an id");
    server.finish().await;
}
