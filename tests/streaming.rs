//! Streamed replies against the real server, on both backends: a bot's
//! draft grows delta by delta in order, a socket that resumes mid-stream
//! gets the text so far and then the rest, a finish sends exactly one push
//! (decrypted by the test push service) with the final text, and a draft
//! left open is finished by the timeout.

mod common;

use std::time::Duration;

use app::clock::Clock;
use common::notify::{eventually, server};
use common::push_service::TestPushService;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    a_streamed_reply_grows_in_order_and_finishes_once,
    appends_are_checked_and_retries_are_safe,
    a_socket_that_resumes_mid_stream_gets_the_text_so_far_then_the_rest,
    a_socket_that_missed_the_start_gets_the_whole_reply_then_deltas,
    an_away_member_gets_one_push_at_the_finish_with_the_final_text,
    a_draft_left_open_is_finished_after_ten_minutes,
);

/// Alice, her bot "helper" and their direct conversation: (bot token, conversation).
async fn alice_and_her_bot(server: &TestServer, alice: &Api<'_>) -> (String, i64) {
    let (status, made) = alice.post("/api/v1/bots", json!({"username": "helper"})).await;
    assert_eq!(status, 201, "{made}");
    let id = alice.conversation_with(&["helper"]).await;
    let _ = server;
    (made["token"].as_str().unwrap().to_owned(), id)
}

/// Starts a streamed reply; returns it.
async fn start(bot: &Api<'_>, conversation: i64, body: &str) -> Value {
    let client_id = uuid::Uuid::new_v4().to_string();
    let (status, draft) = bot
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"client_id": client_id, "body": body, "streaming": true}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    draft
}

async fn append(bot: &Api<'_>, id: i64, text: &str) -> Value {
    let (status, appended) = bot.post(&format!("/api/v1/messages/{id}/append"), json!({"text": text})).await;
    assert_eq!(status, 200, "{appended}");
    appended
}

async fn a_streamed_reply_grows_in_order_and_finishes_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);
    let mut ws = WsClient::live(&server, &alice.token).await;

    let draft = start(&bot, conversation, "").await;
    assert_eq!(
        (draft["streaming"].clone(), draft["body"].clone(), draft["deltas"].clone()),
        (json!(true), json!(""), json!(0))
    );
    let id = draft["id"].as_i64().unwrap();
    let shown = ws.next_of("message").await;
    assert_eq!(shown["message"]["id"], id);
    assert_eq!(shown["message"]["streaming"], true, "members see the draft at once");

    let words = ["Hello", ", ", "world", "!"];
    for (n, word) in words.iter().enumerate() {
        let appended = append(&bot, id, word).await;
        assert_eq!(appended, json!({"id": id, "seq": n + 1, "duplicate": false}));
    }
    for (n, word) in words.iter().enumerate() {
        let delta = ws.next_of("message_delta").await;
        assert_eq!(
            delta,
            json!({"type": "message_delta", "id": id, "conversation_id": conversation, "seq": n + 1, "text": word})
        );
    }
    // History returns the text so far.
    let page = alice.history(conversation).await;
    let stored = page.iter().find(|m| m["id"] == id).unwrap();
    assert_eq!(
        (stored["body"].clone(), stored["streaming"].clone(), stored["deltas"].clone()),
        (json!("Hello, world!"), json!(true), json!(4))
    );

    let (status, done) = bot.post(&format!("/api/v1/messages/{id}/finish"), json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["body"].clone(), done["streaming"].clone()), (json!("Hello, world!"), json!(false)));
    let finished = ws.next_of("message_finished").await;
    assert_eq!(finished["message"]["body"], "Hello, world!");
    assert_eq!(finished["message"]["streaming"], false);

    // Finished is final: no more appends; finishing again (a retry) is
    // answered, unless it would change the text.
    let (status, refused) = bot.post(&format!("/api/v1/messages/{id}/append"), json!({"text": "more"})).await;
    assert_eq!((status, refused["error"]["code"].clone()), (409, json!("not_streaming")), "{refused}");
    let (status, again) = bot.post(&format!("/api/v1/messages/{id}/finish"), json!({})).await;
    assert_eq!((status, again["body"].clone()), (200, json!("Hello, world!")));
    let (status, refused) = bot.post(&format!("/api/v1/messages/{id}/finish"), json!({"body": "other"})).await;
    assert_eq!((status, refused["error"]["code"].clone()), (409, json!("not_streaming")));

    // A finish may replace the text with the final one.
    let second = start(&bot, conversation, "Thinking").await["id"].as_i64().unwrap();
    append(&bot, second, "…").await;
    let (status, done) =
        bot.post(&format!("/api/v1/messages/{second}/finish"), json!({"body": "The answer is 42."})).await;
    assert_eq!((status, done["body"].clone()), (200, json!("The answer is 42.")));
    let page = alice.history(conversation).await;
    assert_eq!(page.last().unwrap()["body"], "The answer is 42.");
    assert_eq!(page.last().unwrap()["streaming"], false);
    server.finish().await;
}

async fn appends_are_checked_and_retries_are_safe(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);
    let id = start(&bot, conversation, "").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/messages/{id}/append");

    // Numbered appends: a retry is answered without adding twice; a skip is refused.
    let (status, first) = bot.post(&path, json!({"text": "one ", "seq": 1})).await;
    assert_eq!((status, first["duplicate"].clone()), (200, json!(false)), "{first}");
    let (status, retry) = bot.post(&path, json!({"text": "one ", "seq": 1})).await;
    assert_eq!((status, retry), (200, json!({"id": id, "seq": 1, "duplicate": true})));
    let (status, skip) = bot.post(&path, json!({"text": "three", "seq": 3})).await;
    assert_eq!((status, skip["error"]["code"].clone()), (409, json!("out_of_order")), "{skip}");
    bot.post(&path, json!({"text": "two", "seq": 2})).await;

    // Only the author appends; a stranger cannot even tell it exists.
    let (status, body) = alice.post(&path, json!({"text": "x"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = carol.post(&path, json!({"text": "x"})).await;
    assert_eq!(status, 404);
    let (status, _) = carol.post(&format!("/api/v1/messages/{id}/finish"), json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = bot.post("/api/v1/messages/999999/append", json!({"text": "x"})).await;
    assert_eq!(status, 404);
    for (text, code) in [("", "empty_delta"), ("a\u{0}b", "invalid_text")] {
        let (status, body) = bot.post(&path, json!({"text": text})).await;
        assert_eq!((status, body["error"]["code"].clone()), (422, json!(code)), "{body}");
    }
    let (status, body) = bot.post(&path, json!({"text": "x".repeat(4001)})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("delta_too_long")));
    // A reply holds at most 16,000 characters.
    for _ in 0..4 {
        bot.post(&path, json!({"text": "y".repeat(3990)})).await;
    }
    let (status, body) = bot.post(&path, json!({"text": "z".repeat(100)})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("message_too_long")), "{body}");
    let (status, body) = bot
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "", "streaming": false}),
        )
        .await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("empty_message")), "a whole message needs text");
    let page = alice.history(conversation).await;
    assert!(page[0]["body"].as_str().unwrap().starts_with("one two"), "{}", page[0]["body"]);
    server.finish().await;
}

async fn a_socket_that_resumes_mid_stream_gets_the_text_so_far_then_the_rest(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);
    let mut ws = WsClient::live(&server, &alice.token).await;
    let id = start(&bot, conversation, "").await["id"].as_i64().unwrap();
    ws.next_of("message").await;
    append(&bot, id, "a").await;
    append(&bot, id, "b").await;
    assert_eq!(ws.next_of("message_delta").await["seq"], 1);
    assert_eq!(ws.next_of("message_delta").await["seq"], 2);
    drop(ws);

    // Gone for two appends; back, resuming from just before the draft.
    append(&bot, id, "c").await;
    append(&bot, id, "d").await;
    let mut ws = WsClient::connect(&server, &alice.token).await;
    ws.send(json!({"type": "resume", "after": {conversation.to_string(): id - 1}})).await;
    let replayed = ws.next_of("message").await;
    assert_eq!(replayed["message"]["id"], id);
    assert_eq!((replayed["message"]["body"].clone(), replayed["message"]["deltas"].clone()), (json!("abcd"), json!(4)));
    ws.next_of("resumed").await;
    append(&bot, id, "e").await;
    let delta = ws.next_of("message_delta").await;
    assert_eq!((delta["seq"].clone(), delta["text"].clone()), (json!(5), json!("e")), "the rest, with no gap");
    bot.post(&format!("/api/v1/messages/{id}/finish"), json!({})).await;
    assert_eq!(ws.next_of("message_finished").await["message"]["body"], "abcde");
    server.finish().await;
}

async fn a_socket_that_missed_the_start_gets_the_whole_reply_then_deltas(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);
    let id = start(&bot, conversation, "Once").await["id"].as_i64().unwrap();
    append(&bot, id, " upon").await;
    // This socket never saw the draft: its first delta would be a gap.
    let mut ws = WsClient::live(&server, &alice.token).await;
    append(&bot, id, " a time").await;
    let whole = ws.next().await;
    assert_eq!(whole["type"], "message", "a gap is refilled with the whole message: {whole}");
    assert_eq!(
        (whole["message"]["body"].clone(), whole["message"]["deltas"].clone()),
        (json!("Once upon a time"), json!(2))
    );
    append(&bot, id, ".").await;
    let delta = ws.next_of("message_delta").await;
    assert_eq!((delta["seq"].clone(), delta["text"].clone()), (json!(3), json!(".")));
    server.finish().await;
}

async fn an_away_member_gets_one_push_at_the_finish_with_the_final_text(backend: Backend) {
    let clock = Clock::system();
    let server = server(backend, &clock).await;
    let push = TestPushService::start().await;
    let phone = push.device("alice-phone");
    let alice = Api::signup(&server, "alice").await;
    let (status, body) = alice.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    assert_eq!(status, 201, "{body}");
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);

    let id = start(&bot, conversation, "").await["id"].as_i64().unwrap();
    for word in ["Your ", "report ", "is ", "ready"] {
        append(&bot, id, word).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(push.received(&phone).is_empty(), "no push while it streams");
    let (status, _) =
        bot.post(&format!("/api/v1/messages/{id}/finish"), json!({"body": "Your report is ready."})).await;
    assert_eq!(status, 200);
    let got = push.wait_for(&phone, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(&phone).len(), 1, "exactly one push");
    assert!(push.failures().is_empty(), "{:?}", push.failures());
    assert_eq!(got[0].payload["title"], "helper");
    assert_eq!(got[0].payload["body"], "Your report is ready.", "the final text");
    assert_eq!(got[0].payload["message_id"], id);
    server.finish().await;
}

async fn a_draft_left_open_is_finished_after_ten_minutes(backend: Backend) {
    let clock = Clock::manual(app::db::now_ms());
    let server = server(backend, &clock).await;
    let alice = Api::signup(&server, "alice").await;
    let (token, conversation) = alice_and_her_bot(&server, &alice).await;
    let bot = Api::with_token(&server, &token);
    let mut ws = WsClient::live(&server, &alice.token).await;
    let id = start(&bot, conversation, "").await["id"].as_i64().unwrap();
    append(&bot, id, "half an ans").await;

    clock.advance(9 * 60 * 1000);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(alice.history(conversation).await[0]["streaming"], true, "nine minutes is not yet too long");
    clock.advance(2 * 60 * 1000);
    eventually("the timeout finishes the draft", || async {
        alice.history(conversation).await[0]["streaming"] == false
    })
    .await;
    let finished = ws.next_of("message_finished").await;
    assert_eq!(finished["message"]["body"], "half an ans", "finished as it stood");
    let (status, refused) = bot.post(&format!("/api/v1/messages/{id}/append"), json!({"text": "wer"})).await;
    assert_eq!((status, refused["error"]["code"].clone()), (409, json!("not_streaming")));
    server.finish().await;
}
