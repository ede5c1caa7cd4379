//! Full-text search over the real router, on SQLite (FTS5) and PostgreSQL
//! (tsvector): only what the caller can read, newest first, the last word
//! a prefix, edits and deletions followed, and bad queries refused.

mod common;

use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(search_finds_what_i_can_read_and_follows_edits_and_deletes, bad_searches_are_refused_clearly);

async fn search(api: &Api<'_>, query: &str) -> Vec<Value> {
    let (status, hits) = api.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(status, 200, "{query}: {hits}");
    hits.as_array().unwrap().clone()
}

/// The highlighted parts of a hit's snippet.
fn highlighted(hit: &Value) -> Vec<String> {
    let chars: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| chars[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].iter().collect())
        .collect()
}

async fn search_finds_what_i_can_read_and_follows_edits_and_deletes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    let ours = alice.conversation_with(&["bob"]).await;
    let theirs = alice.conversation_with(&["carol"]).await;
    let market = alice.say(ours, "Fresh fish at the market today").await;
    bob.say(ours, "Nothing planned yet").await;
    let trip = bob.say(ours, "A fishing trip on Sunday?").await;
    carol.say(theirs, "fish tacos for alice").await;

    let hits = search(&bob, "q=fish").await;
    let ids: Vec<&Value> = hits.iter().map(|h| &h["message_id"]).collect();
    assert_eq!(ids, [&trip["id"], &market["id"]], "bob's two, newest first; carol's is not his to read");
    assert_eq!(hits[0]["conversation_id"], ours);
    assert_eq!(hits[0]["author"], "bob");
    assert_eq!(hits[0]["seq"], trip["seq"]);
    assert!(hits[0]["snippet"].as_str().unwrap().contains("fishing trip"), "{}", hits[0]);
    assert_eq!(highlighted(&hits[0]), ["fishing"], "the last word is a prefix, and the match is marked");
    assert_eq!(highlighted(&hits[1]), ["fish"], "{}", hits[1]);
    assert_eq!(search(&alice, "q=fish").await.len(), 3, "alice reads both conversations");
    assert_eq!(search(&alice, &format!("q=fish&conversation_id={theirs}")).await.len(), 1);
    assert_eq!(search(&bob, "q=fresh%20market").await.len(), 1, "every word must match");
    assert!(search(&bob, "q=market%20fresh%20sunday").await.is_empty());

    // Pages: older than the last hit.
    let first = search(&alice, "q=fish&limit=2").await;
    let rest = search(&alice, &format!("q=fish&limit=2&before={}", first[1]["message_id"])).await;
    assert_eq!(rest.iter().map(|h| h["message_id"].clone()).collect::<Vec<_>>(), vec![market["id"].clone()]);

    // Edits are searched as they read now; deleted messages are gone.
    let (status, _) = bob.get(&format!("/api/v1/conversations/{theirs}")).await;
    assert_eq!(status, 403);
    let nothing = search(&bob, "q=nothing").await;
    let id = nothing[0]["message_id"].as_i64().unwrap();
    assert_eq!(bob.patch(&format!("/api/v1/messages/{id}"), json!({"body": "Salmon it is"})).await.0, 200);
    assert!(search(&bob, "q=nothing").await.is_empty(), "the old words are no longer found");
    assert_eq!(search(&bob, "q=salmon").await.len(), 1);
    assert_eq!(alice.delete(&format!("/api/v1/messages/{}", market["id"])).await.0, 204);
    assert_eq!(search(&bob, "q=fish").await.len(), 1, "a deleted message is not found");

    // Someone removed from a group no longer finds its messages.
    alice.know(&["bob", "carol"]).await;
    let (_, group) = alice.post("/api/v1/conversations", json!({"members": ["bob", "carol"], "title": "Trip"})).await;
    let group = group["id"].as_i64().unwrap();
    alice.say(group, "Pack the lanterns").await;
    assert_eq!(search(&carol, "q=lantern").await.len(), 1);
    assert_eq!(alice.delete(&format!("/api/v1/conversations/{group}/members/carol")).await.0, 204);
    assert!(search(&carol, "q=lantern").await.is_empty());
    server.finish().await;
}

async fn bad_searches_are_refused_clearly(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    Api::signup(&server, "bob").await;
    let eve = Api::signup(&server, "eve").await;
    let ours = alice.conversation_with(&["bob"]).await;
    for (query, code) in [
        ("q=", "empty_query"),
        ("q=%3F%21%20*", "empty_query"),
        (&*format!("q={}", "x".repeat(201)), "query_too_long"),
        ("q=hi&limit=0", "invalid_limit"),
        ("q=hi&limit=51", "invalid_limit"),
    ] {
        let (status, body) = alice.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some(code)), "{query}: {body}");
    }
    // Query syntax of either database is just words.
    assert!(search(&alice, "q=%22fish%22%20OR%20NEAR(a%20b)%20%26%20%7C%20!x%3A*").await.is_empty());
    assert_eq!(eve.get(&format!("/api/v1/search?q=hi&conversation_id={ours}")).await.0, 403);
    assert_eq!(alice.get("/api/v1/search?q=hi&conversation_id=999999").await.0, 404);
    assert_eq!(Api::new(&server).get("/api/v1/search?q=hi").await.0, 401);
    let mut limited = None;
    for _ in 0..app::rate_limit::SEARCH.burst + 1 {
        let r = reqwest::Client::new()
            .get(server.url("/api/v1/search?q=hi"))
            .bearer_auth(&eve.token)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            limited = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        }
    }
    assert!(limited.is_some_and(|s| s.parse::<u64>().unwrap() >= 1), "searches are rate-limited with Retry-After");
    server.finish().await;
}
