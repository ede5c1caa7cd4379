//! Live delivery over the WebSocket, against the real server on both backends.

mod common;

use std::time::Duration;

use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

backend_tests!(
    two_users_chat_over_rest_and_websocket,
    websocket_send_is_acked_and_idempotent,
    non_members_are_refused_over_the_socket,
    resume_delivers_exactly_the_missed_messages,
    typing_is_relayed_to_the_others_only,
    bad_frames_get_an_error_and_the_socket_stays_open,
    read_receipts_reach_the_other_members,
);

async fn two_users_chat_over_rest_and_websocket(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    let mut alice_ws = WsClient::connect(&server, &alice.token).await;

    let sent = alice.say(id, "Hi Bob!").await;
    let got = bob_ws.next_of("message").await;
    assert_eq!(got["message"], sent);
    assert_eq!(got["message"]["author"]["username"], "alice");

    let client_id = uuid::Uuid::new_v4().to_string();
    bob_ws.send(json!({"type": "send", "conversation_id": id, "client_id": client_id, "body": "Hey Alice"})).await;
    let ack = bob_ws.next_of("ack").await;
    assert_eq!(ack["client_id"], client_id.as_str());
    // Alice's own devices see her message too, then Bob's reply.
    assert_eq!(alice_ws.next_of("message").await["message"]["body"], "Hi Bob!");
    let reply = alice_ws.next_of("message").await;
    assert_eq!(reply["message"]["body"], "Hey Alice");
    assert_eq!(reply["message"]["id"], ack["id"]);

    let (_, history) = alice.get(&format!("/api/v1/conversations/{id}/messages")).await;
    let bodies: Vec<&str> = history.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Hi Bob!", "Hey Alice"]);
    server.finish().await;
}

async fn websocket_send_is_acked_and_idempotent(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut ws = WsClient::connect(&server, &alice.token).await;
    let client_id = uuid::Uuid::new_v4().to_string();
    let frame = json!({"type": "send", "conversation_id": id, "client_id": client_id, "body": "exactly once"});
    ws.send(frame.clone()).await;
    let first = ws.next_of("ack").await;
    ws.send(frame).await;
    let second = ws.next_of("ack").await;
    assert_eq!(first["id"], second["id"]);
    let (_, history) = alice.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    // Too long over the socket: an error naming the client id, not a dropped connection.
    let long_id = uuid::Uuid::new_v4().to_string();
    ws.send(json!({"type": "send", "conversation_id": id, "client_id": long_id, "body": "a".repeat(4001)})).await;
    let err = ws.next_of("error").await;
    assert_eq!(err["code"], "message_too_long");
    assert_eq!(err["client_id"], long_id.as_str());
    server.finish().await;
}

async fn non_members_are_refused_over_the_socket(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let eve = Api::signup(&server, "eve").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut eve_ws = WsClient::connect(&server, &eve.token).await;
    eve_ws.send(json!({"type": "send", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "body": "hi"})).await;
    assert_eq!(eve_ws.next_of("error").await["code"], "forbidden");
    eve_ws.send(json!({"type": "resume", "after": {id.to_string(): 0}})).await;
    assert_eq!(eve_ws.next_of("error").await["code"], "forbidden");
    // And she hears nothing of the conversation.
    alice.say(id, "secret").await;
    eve_ws.expect_none_of("message", Duration::from_millis(300)).await;
    server.finish().await;
}

async fn resume_delivers_exactly_the_missed_messages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    let first = alice.say(id, "before the tunnel").await;
    assert_eq!(bob_ws.next_of("message").await["message"]["id"], first["id"]);
    drop(bob_ws);

    let mut missed = Vec::new();
    for i in 0..3 {
        missed.push(alice.say(id, &format!("missed {i}")).await["id"].as_i64().unwrap());
    }
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    bob_ws.send(json!({"type": "resume", "after": {id.to_string(): first["id"]}})).await;
    let mut replayed = Vec::new();
    loop {
        let frame = bob_ws.next().await;
        match frame["type"].as_str().unwrap() {
            "message" => replayed.push(frame["message"]["id"].as_i64().unwrap()),
            "resumed" => break,
            _ => {}
        }
    }
    assert_eq!(replayed, missed, "each missed message once, in order");
    // Live traffic continues after the replay, with no duplicates.
    let live = alice.say(id, "after").await;
    assert_eq!(bob_ws.next_of("message").await["message"]["id"], live["id"]);
    bob_ws.expect_none_of("message", Duration::from_millis(300)).await;
    server.finish().await;
}

async fn typing_is_relayed_to_the_others_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut alice_ws = WsClient::connect(&server, &alice.token).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    alice_ws.send(json!({"type": "typing", "conversation_id": id})).await;
    let typing = bob_ws.next_of("typing").await;
    assert_eq!(typing["conversation_id"].as_i64(), Some(id));
    assert_eq!(typing["user"]["username"], "alice");
    alice_ws.expect_none_of("typing", Duration::from_millis(300)).await;
    server.finish().await;
}

async fn bad_frames_get_an_error_and_the_socket_stays_open(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let mut ws = WsClient::connect(&server, &alice.token).await;
    ws.stream.send_text("not json").await;
    assert_eq!(ws.next_of("error").await["code"], "bad_frame");
    ws.send(json!({"type": "teleport"})).await;
    assert_eq!(ws.next_of("error").await["code"], "bad_frame");
    ws.send(json!({"type": "typing", "conversation_id": 424242})).await;
    assert_eq!(ws.next_of("error").await["code"], "not_found");
    // Still usable.
    ws.send(json!({"type": "resume", "after": {}})).await;
    assert_eq!(ws.next_of("resumed").await["conversations"], json!([]));
    server.finish().await;
}

async fn read_receipts_reach_the_other_members(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let sent = alice.say(id, "did you read this?").await;
    let mut alice_ws = WsClient::connect(&server, &alice.token).await;
    let mut bob_ws = WsClient::connect(&server, &bob.token).await;
    bob_ws.send(json!({"type": "read", "conversation_id": id, "message_id": sent["id"]})).await;
    let read = alice_ws.next_of("read").await;
    assert_eq!(read["user_id"], bob_ws_user(&bob).await);
    assert_eq!(read["message_id"], sent["id"]);
    server.finish().await;
}

async fn bob_ws_user(bob: &Api<'_>) -> serde_json::Value {
    bob.get("/api/v1/me").await.1["id"].clone()
}

/// The heartbeat closes a socket that never answers pings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_socket_is_dropped_by_the_heartbeat() {
    common::bounded("a_silent_socket_is_dropped_by_the_heartbeat", silent_socket_is_dropped()).await;
}

async fn silent_socket_is_dropped() {
    let server = TestServer::start_with(Backend::Sqlite, |c| c.ws_idle_timeout = Duration::from_millis(600)).await;
    let alice = Api::signup(&server, "alice").await;
    let mut ws = WsClient::connect(&server, &alice.token).await;
    // Not reading means not answering pings: the server must give up on us.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut closed = false;
    while let Ok(Some(frame)) = tokio::time::timeout(Duration::from_secs(3), ws.stream.next()).await {
        match frame {
            Ok(Message::Close(Some(close))) => {
                assert_eq!(u16::from(close.code), 1001);
                closed = true;
                break;
            }
            Ok(_) => continue,
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "the server closed the silent socket");
    server.finish().await;
}

trait SendText {
    async fn send_text(&mut self, text: &str);
}

impl SendText for tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    async fn send_text(&mut self, text: &str) {
        use futures_util::SinkExt;
        self.send(Message::Text(text.to_owned().into())).await.unwrap();
    }
}
