//! Read pointers as members see them, on both backends: every member's
//! pointer in the conversation (for "Seen by"), and the `read` frame that
//! moves one live for the others.

mod common;

use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(every_member_sees_how_far_the_others_have_read,);

fn pointer(conversation: &Value, user: i64) -> i64 {
    let reads = conversation["reads"].as_array().unwrap();
    reads.iter().find(|r| r["user_id"] == user).map(|r| r["last_read_id"].as_i64().unwrap()).unwrap()
}

async fn show(api: &Api<'_>, id: i64) -> Value {
    api.get(&format!("/api/v1/conversations/{id}")).await.1
}

async fn every_member_sees_how_far_the_others_have_read(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    alice.know(&["bob", "carol"]).await;
    let (_, group) = alice.post("/api/v1/conversations", json!({"members": ["bob", "carol"], "title": "Trip"})).await;
    let id = group["id"].as_i64().unwrap();
    let bob_id = group["members"].as_array().unwrap().iter().find(|m| m["username"] == "bob").unwrap()["id"].as_i64().unwrap();
    let message = alice.say(id, "Train at 9").await["id"].as_i64().unwrap();
    assert_eq!(pointer(&show(&alice, id).await, bob_id), 0);
    let mut alice_ws = WsClient::live(&server, &alice.token).await;

    let (status, _) = bob.post(&format!("/api/v1/conversations/{id}/read"), json!({"message_id": message})).await;
    assert_eq!(status, 204);
    let frame = alice_ws.next_of("read").await;
    assert_eq!((frame["user_id"].clone(), frame["message_id"].clone()), (json!(bob_id), json!(message)));
    assert_eq!(pointer(&show(&alice, id).await, bob_id), message, "the author sees it");
    assert_eq!(pointer(&show(&carol, id).await, bob_id), message, "so does everyone in it");
    let (_, list) = alice.get("/api/v1/conversations").await;
    assert_eq!(pointer(&list[0], bob_id), message, "the list carries them too");
    server.finish().await;
}
