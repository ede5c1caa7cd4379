//! Conversations and messages over REST, against the real server on both backends.

mod common;

use common::{Api, Backend, TestServer};
use serde_json::json;

backend_tests!(
    direct_conversation_is_created_once_per_pair,
    groups_have_an_owner_who_manages_members,
    unknown_usernames_are_422,
    non_members_get_403_and_unknown_ids_404,
    resending_a_client_id_returns_the_original,
    a_4001_character_message_is_422,
    history_pages_ascending_with_before_and_after,
    list_shows_members_preview_and_unread_most_recent_first,
    read_pointer_only_moves_forward,
);

async fn direct_conversation_is_created_once_per_pair(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let (status, first) = alice.post("/api/v1/conversations", json!({"members": ["bob"]})).await;
    assert_eq!(status, 201);
    assert_eq!(first["kind"], "direct");
    let names: Vec<&str> =
        first["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    // Either side asking again gets the same conversation.
    let (status, again) = bob.post("/api/v1/conversations", json!({"members": ["alice"]})).await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], first["id"]);
    server.finish().await;
}

async fn groups_have_an_owner_who_manages_members(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let _carol = Api::signup(&server, "carol").await;
    let dave = Api::signup(&server, "dave").await;
    // Not even at creation may strangers be put in a group (nor in a titled
    // conversation of two, which is a group too).
    for members in [json!(["bob", "carol"]), json!(["carol"])] {
        let (status, body) =
            alice.post("/api/v1/conversations", json!({"members": members, "title": "Trip"})).await;
        assert_eq!(status, 403, "a group of strangers: {body}");
        assert_eq!(body["error"]["code"], "not_allowed");
        assert!(body["error"]["message"].as_str().unwrap().contains("write to them first"), "{body}");
    }
    alice.know(&["bob", "carol"]).await;
    let (status, group) =
        alice.post("/api/v1/conversations", json!({"members": ["bob", "carol"], "title": "Trip"})).await;
    assert_eq!(status, 201);
    assert_eq!(group["kind"], "group");
    assert_eq!(group["title"], "Trip");
    let id = group["id"].as_i64().unwrap();

    let (status, _) = bob.post(&format!("/api/v1/conversations/{id}/members"), json!({"username": "dave"})).await;
    assert_eq!(status, 403, "only the owner adds members");
    let (status, body) = alice.post(&format!("/api/v1/conversations/{id}/members"), json!({"username": "dave"})).await;
    assert_eq!(status, 403, "a stranger cannot be pulled into a group: {body}");
    alice.conversation_with(&["dave"]).await;
    let (status, updated) =
        alice.post(&format!("/api/v1/conversations/{id}/members"), json!({"username": "dave"})).await;
    assert_eq!(status, 200);
    assert_eq!(updated["members"].as_array().unwrap().len(), 4);
    let (status, _) = dave.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(status, 200, "a new member can read");

    let client = reqwest::Client::new();
    let remove = |who: &Api, name: &str| {
        client
            .delete(server.url(&format!("/api/v1/conversations/{id}/members/{name}")))
            .bearer_auth(who.token.clone())
            .send()
    };
    assert_eq!(remove(&bob, "carol").await.unwrap().status(), 403);
    assert_eq!(remove(&alice, "dave").await.unwrap().status(), 204);
    assert_eq!(remove(&bob, "bob").await.unwrap().status(), 204, "anyone may leave");
    let (status, _) = dave.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(status, 403, "a removed member can no longer read");
    server.finish().await;
}

async fn unknown_usernames_are_422(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let (status, err) = alice.post("/api/v1/conversations", json!({"members": ["ghost"]})).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["code"], "unknown_user");
    assert!(err["error"]["message"].as_str().unwrap().contains("ghost"));
    let (status, err) = alice.post("/api/v1/conversations", json!({"members": ["alice"]})).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["code"], "no_members");
    server.finish().await;
}

async fn non_members_get_403_and_unknown_ids_404(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let eve = Api::signup(&server, "eve").await;
    let id = alice.conversation_with(&["bob"]).await;
    alice.say(id, "private").await;

    let (status, err) = eve.get(&format!("/api/v1/conversations/{id}/messages")).await;
    assert_eq!(status, 403);
    assert_eq!(err["error"]["code"], "forbidden");
    let (status, _) = eve.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(status, 403);
    let (status, _) = eve
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"client_id": uuid::Uuid::new_v4(), "body": "let me in"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = eve.post(&format!("/api/v1/conversations/{id}/read"), json!({"message_id": 1})).await;
    assert_eq!(status, 403);
    let (status, err) = eve.get("/api/v1/conversations/999999/messages").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["code"], "not_found");
    let (status, list) = eve.get("/api/v1/conversations").await;
    assert_eq!((status, list), (200, json!([])));
    server.finish().await;
}

async fn resending_a_client_id_returns_the_original(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let client_id = uuid::Uuid::new_v4().to_string();
    let path = format!("/api/v1/conversations/{id}/messages");
    let (status, first) = alice.post(&path, json!({"client_id": client_id, "body": "once"})).await;
    assert_eq!(status, 201);
    let (status, second) = alice.post(&path, json!({"client_id": client_id, "body": "once"})).await;
    assert_eq!(status, 200);
    assert_eq!(first, second);
    let (_, history) = alice.get(&path).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    let (status, err) = alice.post(&path, json!({"client_id": "not-a-uuid", "body": "x"})).await;
    assert_eq!((status, err["error"]["code"].as_str()), (422, Some("invalid_client_id")));
    server.finish().await;
}

async fn a_4001_character_message_is_422(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let path = format!("/api/v1/conversations/{id}/messages");
    let (status, err) = alice.post(&path, json!({"client_id": uuid::Uuid::new_v4(), "body": "a".repeat(4001)})).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["code"], "message_too_long");
    let (status, _) = alice.post(&path, json!({"client_id": uuid::Uuid::new_v4(), "body": "ы".repeat(4000)})).await;
    assert_eq!(status, 201, "4000 characters (8000 bytes) is fine");
    let (status, _) = alice.post(&path, json!({"client_id": uuid::Uuid::new_v4(), "body": "   "})).await;
    assert_eq!(status, 422);
    server.finish().await;
}

async fn history_pages_ascending_with_before_and_after(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(alice.say(id, &format!("m{i}")).await["id"].as_i64().unwrap());
    }
    let path = format!("/api/v1/conversations/{id}/messages");
    let bodies = |v: &serde_json::Value| {
        v.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let (_, newest) = alice.get(&format!("{path}?limit=3")).await;
    assert_eq!(bodies(&newest), ["m4", "m5", "m6"]);
    let (_, older) = alice.get(&format!("{path}?limit=3&before={}", ids[4])).await;
    assert_eq!(bodies(&older), ["m1", "m2", "m3"]);
    let (_, after) = alice.get(&format!("{path}?after={}", ids[4])).await;
    assert_eq!(bodies(&after), ["m5", "m6"]);
    let seqs: Vec<i64> = newest.as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [5, 6, 7], "seq counts messages of the conversation without gaps");
    let (status, err) = alice.get(&format!("{path}?limit=201")).await;
    assert_eq!((status, err["error"]["code"].as_str()), (422, Some("invalid_limit")));
    server.finish().await;
}

async fn list_shows_members_preview_and_unread_most_recent_first(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    Api::signup(&server, "carol").await;
    let with_bob = alice.conversation_with(&["bob"]).await;
    let with_carol = alice.conversation_with(&["carol"]).await;
    bob.say(with_bob, "first").await;
    bob.say(with_bob, "second").await;
    alice.say(with_carol, "hi carol").await;

    let (_, list) = alice.get("/api/v1/conversations").await;
    let list = list.as_array().unwrap();
    assert_eq!(list[0]["id"].as_i64(), Some(with_carol), "most recent activity first");
    assert_eq!(list[0]["unread"], 0, "own messages are not unread");
    assert_eq!(list[1]["id"].as_i64(), Some(with_bob));
    assert_eq!(list[1]["unread"], 2);
    assert_eq!(list[1]["last_message"]["body"], "second");
    assert_eq!(list[1]["last_message"]["author"]["username"], "bob");
    assert_eq!(list[1]["members"].as_array().unwrap().len(), 2);
    server.finish().await;
}

async fn read_pointer_only_moves_forward(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let m1 = bob.say(id, "one").await["id"].as_i64().unwrap();
    let m2 = bob.say(id, "two").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/read");
    let read = |m: i64| alice.post(&path, json!({"message_id": m}));
    assert_eq!(read(m2).await.0, 204);
    let unread = || async { alice.get(&format!("/api/v1/conversations/{id}")).await.1["unread"].as_i64().unwrap() };
    assert_eq!(unread().await, 0);
    assert_eq!(read(m1).await.0, 204, "moving back is accepted but ignored");
    assert_eq!(alice.get(&format!("/api/v1/conversations/{id}")).await.1["last_read_id"].as_i64(), Some(m2));
    bob.say(id, "three").await;
    assert_eq!(unread().await, 1);
    server.finish().await;
}
