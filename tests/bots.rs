//! Bots against the real server, on both backends: making and managing
//! them, what their tokens may do, who may talk to them, and their
//! webhooks — signed (checked with an independent HMAC), retried after
//! `Retry-After`, dead-lettered, never redirected, and disabled after a
//! day of failures.

mod common;

use std::time::Duration;

use app::clock::Clock;
use common::notify::{eventually, inbox, server};
use common::webhook::{Receiver, Reply};
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    a_person_makes_a_bot_whose_token_does_only_what_a_bot_may,
    only_the_owner_talks_to_a_private_bot_and_anyone_to_a_public_one,
    managing_a_bot_edits_rotates_and_deletes_and_bad_input_is_refused,
    a_message_to_a_bot_reaches_its_webhook_signed,
    a_group_sends_a_bot_its_mentions_or_everything_if_asked,
    a_failing_webhook_is_retried_after_retry_after_then_dead_lettered,
    a_redirect_is_not_followed,
    a_bot_failing_for_a_day_is_disabled_and_its_owner_told,
    member_events_tell_a_bot_who_joined_and_left,
    a_bot_shows_it_is_typing_over_rest,
    an_incoming_hook_posts_as_the_bot_once_per_client_id,
);

/// Creates a bot owned by `owner`; returns its id, token and signing secret.
async fn make_bot(owner: &Api<'_>, body: Value) -> (i64, String, String) {
    let (status, made) = owner.post("/api/v1/bots", body).await;
    assert_eq!(status, 201, "{made}");
    (
        made["bot"]["id"].as_i64().unwrap(),
        made["token"].as_str().unwrap().to_owned(),
        made["signing_secret"].as_str().unwrap().to_owned(),
    )
}

async fn a_person_makes_a_bot_whose_token_does_only_what_a_bot_may(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (status, made) =
        alice.post("/api/v1/bots", json!({"username": "echo", "display_name": "Echo", "public": false})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["bot"]["username"], "echo");
    assert_eq!(made["bot"]["display_name"], "Echo");
    assert_eq!(
        made["bot"]["events"],
        json!(["message.created", "conversation.member_added", "conversation.member_removed"])
    );
    assert!(made["token"].as_str().unwrap().starts_with("tid_"));
    assert!(made["signing_secret"].as_str().unwrap().starts_with("whsec_"));
    let bot = Api::with_token(&server, made["token"].as_str().unwrap());

    let (status, me) = bot.get("/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["username"].clone(), me["is_bot"].clone()), (json!("echo"), json!(true)));
    let (_, listed) = alice.get("/api/v1/bots").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("token").is_none() && listed[0].get("signing_secret").is_none(), "secrets show once");

    // No password opens a bot, not even an empty one.
    for password in ["", "correct horse"] {
        let r = reqwest::Client::new()
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"username": "echo", "password": password}))
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 401 | 422), "login as a bot: {}", r.status());
    }
    // A bot makes no tokens, no bots, and starts no conversations.
    let (status, body) = bot.post("/api/v1/auth/tokens", json!({"name": "more", "scopes": ["push"]})).await;
    assert_eq!((status, body["error"]["code"].clone()), (403, json!("insufficient_scope")), "{body}");
    let (status, _) = bot.post("/api/v1/bots", json!({"username": "spawn"})).await;
    assert_eq!(status, 403);
    let (status, body) = bot.post("/api/v1/conversations", json!({"members": ["carol"]})).await;
    assert_eq!(status, 403, "{body}");
    // Nor does it register devices for pushes: its token has no `push` scope.
    let (status, _) = bot.get("/api/v1/push/subscriptions").await;
    assert_eq!(status, 403);

    // It reads and writes only the conversations it is in.
    let private = carol.conversation_with(&["alice"]).await;
    let (status, _) = bot.get(&format!("/api/v1/conversations/{private}/messages")).await;
    assert_eq!(status, 403, "a bot cannot read a conversation it is not in");
    let (status, _) = bot
        .post(
            &format!("/api/v1/conversations/{private}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi"}),
        )
        .await;
    assert_eq!(status, 403);
    let dm = alice.conversation_with(&["echo"]).await;
    let said = bot.say(dm, "at your service").await;
    assert_eq!(said["author"]["is_bot"], true);
    let (_, history) = alice.get(&format!("/api/v1/conversations/{dm}/messages")).await;
    assert_eq!(history[0]["author"], json!({"id": made["bot"]["id"], "username": "echo", "is_bot": true}));
    let (_, list) = alice.get("/api/v1/conversations").await;
    let members = &list.as_array().unwrap().iter().find(|c| c["id"] == dm).unwrap()["members"];
    assert!(members.as_array().unwrap().iter().any(|m| m["username"] == "echo" && m["is_bot"] == true), "{members}");
    server.finish().await;
}

async fn only_the_owner_talks_to_a_private_bot_and_anyone_to_a_public_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (bot_id, _, _) = make_bot(&alice, json!({"username": "helper"})).await;

    let (status, body) = carol.post("/api/v1/conversations", json!({"members": ["helper"]})).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("helper"), "{body}");
    let (status, body) =
        carol.post("/api/v1/conversations", json!({"members": ["helper", "alice"], "title": "g"})).await;
    assert_eq!(status, 403, "{body}");
    // The owner adds it to a group without having written to it first.
    alice.conversation_with(&["carol"]).await;
    let (status, group) = alice.post("/api/v1/conversations", json!({"members": ["carol"], "title": "Plans"})).await;
    assert_eq!(status, 201, "{group}");
    let group_id = group["id"].as_i64().unwrap();
    let (status, body) =
        alice.post(&format!("/api/v1/conversations/{group_id}/members"), json!({"username": "helper"})).await;
    assert_eq!(status, 200, "{body}");

    // Made public, anyone may talk to it.
    let (status, _) = alice.patch(&format!("/api/v1/bots/{bot_id}"), json!({"public": true})).await;
    assert_eq!(status, 200);
    let (status, body) = carol.post("/api/v1/conversations", json!({"members": ["helper"]})).await;
    assert_eq!(status, 201, "{body}");
    server.finish().await;
}

async fn managing_a_bot_edits_rotates_and_deletes_and_bad_input_is_refused(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.push.allow_private = true).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (bot_id, token, _) = make_bot(&alice, json!({"username": "notes"})).await;
    let path = format!("/api/v1/bots/{bot_id}");

    for (body, code) in [
        (json!({"username": "No Spaces"}), "invalid_username"),
        (json!({"username": "alice"}), "username_taken"),
        (json!({"username": "notes"}), "username_taken"),
        (json!({"username": "okname", "webhook_url": "ftp://x.example/"}), "invalid_webhook_url"),
        (json!({"username": "okname", "webhook_url": "not a url"}), "invalid_webhook_url"),
        (json!({"username": "okname", "events": []}), "invalid_events"),
        (json!({"username": "okname", "events": ["message.deleted"]}), "invalid_events"),
        (json!({"username": "okname", "display_name": "x".repeat(65)}), "invalid_display_name"),
    ] {
        let (status, answer) = alice.post("/api/v1/bots", body.clone()).await;
        assert!(matches!(status, 409 | 422), "{body}: {status} {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }

    let (status, bot) = alice
        .patch(&path, json!({"display_name": "Notes", "webhook_url": "http://127.0.0.1:9/hook", "events": ["message.created.all"]}))
        .await;
    assert_eq!(status, 200, "{bot}");
    assert_eq!((bot["display_name"].clone(), bot["events"].clone()), (json!("Notes"), json!(["message.created.all"])));
    assert_eq!(bot["webhook_url"], "http://127.0.0.1:9/hook");
    let (_, bot) = alice.patch(&path, json!({"webhook_url": ""})).await;
    assert_eq!(bot["webhook_url"], Value::Null, "an empty URL removes the webhook");
    let (status, _) = carol.patch(&path, json!({"public": true})).await;
    assert_eq!(status, 404, "someone else's bot is not there for carol");
    let (status, _) = carol.delete(&path).await;
    assert_eq!(status, 404);

    let (status, rotated) = alice.post(&format!("{path}/token"), json!({})).await;
    assert_eq!(status, 201, "{rotated}");
    let (status, _) = Api::with_token(&server, &token).get("/api/v1/me").await;
    assert_eq!(status, 401, "the old token stopped working");
    let fresh = Api::with_token(&server, rotated["token"].as_str().unwrap());
    assert_eq!(fresh.get("/api/v1/me").await.0, 200);

    let (status, _) = alice.delete(&path).await;
    assert_eq!(status, 204);
    assert_eq!(fresh.get("/api/v1/me").await.0, 401, "a deleted bot's token is gone");
    assert_eq!(alice.get(&path).await.0, 404);
    server.finish().await;
}

/// A server whose webhooks may go to the test receiver on 127.0.0.1.
async fn webhook_server(backend: Backend, clock: &Clock) -> TestServer {
    server(backend, clock).await
}

async fn a_message_to_a_bot_reaches_its_webhook_signed(backend: Backend) {
    let server = webhook_server(backend, &Clock::system()).await;
    let hook = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let (bot_id, token, secret) =
        make_bot(&alice, json!({"username": "echo", "webhook_url": hook.url, "events": ["message.created"]})).await;
    hook.verify_with(&secret);
    let bot = Api::with_token(&server, &token);

    let dm = alice.conversation_with(&["echo"]).await;
    let sent = alice.say(dm, "hello bot").await;
    let got = hook.wait_for(1).await;
    let event = &got[0];
    assert!(event.signature_ok, "the signature verifies with an independent HMAC: {}", event.raw);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((now - event.timestamp).abs() < 60, "t is the time of sending");
    assert_eq!(event.body["type"], "message.created");
    assert_eq!(event.event_id, event.body["id"].as_str().unwrap());
    assert!(event.event_id.starts_with("evt_"));
    assert_eq!(event.body["bot"]["id"], bot_id);
    assert_eq!(event.body["conversation"], json!({"id": dm, "kind": "direct", "title": null}));
    assert_eq!(event.body["message"]["id"], sent["id"]);
    assert_eq!(event.body["message"]["body"], "hello bot");
    assert_eq!(event.body["message"]["author"]["username"], "alice");

    // The bot's answer is not sent back to it.
    bot.say(dm, "You said: hello bot").await;
    alice.say(dm, "thanks").await;
    let got = hook.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.received().len(), 2, "only alice's two messages");
    assert_eq!(got[1].body["message"]["body"], "thanks");

    let (status, done) = alice.get(&format!("/api/v1/bots/{bot_id}/deliveries?status=done")).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done.as_array().unwrap().len(), 2, "{done}");
    assert_eq!(done[1]["event_id"], event.event_id.as_str());
    assert_eq!((done[1]["event_type"].clone(), done[1]["last_status"].clone()), (json!("message.created"), json!(200)));
    server.finish().await;
}

async fn a_group_sends_a_bot_its_mentions_or_everything_if_asked(backend: Backend) {
    let server = webhook_server(backend, &Clock::system()).await;
    let hook = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let _bob = Api::signup(&server, "bob").await;
    let (bot_id, _, secret) =
        make_bot(&alice, json!({"username": "scribe", "webhook_url": hook.url, "events": ["message.created"]})).await;
    hook.verify_with(&secret);
    alice.know(&["bob"]).await;
    let (status, group) =
        alice.post("/api/v1/conversations", json!({"members": ["bob", "scribe"], "title": "Trip"})).await;
    assert_eq!(status, 201, "{group}");
    let group = group["id"].as_i64().unwrap();

    alice.say(group, "who is driving?").await;
    alice.say(group, "@scribe note: bob drives").await;
    let got = hook.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.received().len(), 1, "only the mention");
    assert_eq!(got[0].body["message"]["body"], "@scribe note: bob drives");
    assert_eq!(got[0].body["conversation"]["kind"], "group");
    assert_eq!(got[0].body["conversation"]["title"], "Trip");

    let (status, _) = alice.patch(&format!("/api/v1/bots/{bot_id}"), json!({"events": ["message.created.all"]})).await;
    assert_eq!(status, 200);
    alice.say(group, "and I bring snacks").await;
    let got = hook.wait_for(2).await;
    assert_eq!(got[1].body["message"]["body"], "and I bring snacks");
    assert!(got.iter().all(|r| r.signature_ok));
    server.finish().await;
}

async fn a_failing_webhook_is_retried_after_retry_after_then_dead_lettered(backend: Backend) {
    let server = webhook_server(backend, &Clock::system()).await;
    let hook = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let (bot_id, _, secret) =
        make_bot(&alice, json!({"username": "flaky", "webhook_url": hook.url, "events": ["message.created"]})).await;
    hook.verify_with(&secret);
    let dm = alice.conversation_with(&["flaky"]).await;

    hook.script([Reply::RetryAfter(503, 2), Reply::Status(500)]);
    alice.say(dm, "are you there?").await;
    let got = hook.wait_for(3).await;
    assert_eq!(got[0].raw, got[1].raw, "a retry sends the same bytes");
    assert_eq!(got[0].event_id, got[2].event_id, "and the same event id, for the receiver's dedupe");
    let waited = got[1].at - got[0].at;
    assert!(waited >= Duration::from_millis(1900), "Retry-After: 2 was honoured (retried after {waited:?})");
    assert!(got.iter().all(|r| r.signature_ok));
    let deliveries = format!("/api/v1/bots/{bot_id}/deliveries");
    eventually("the delivery is done", || async {
        let (_, done) = alice.get(&format!("{deliveries}?status=done")).await;
        done.as_array().is_some_and(|d| d.len() == 1 && d[0]["attempts"] == 3)
    })
    .await;

    // A receiver that says 404 gets no more tries: a dead letter, with why.
    hook.script([Reply::Status(404)]);
    alice.say(dm, "hello?").await;
    hook.wait_for(4).await;
    eventually("a dead letter", || async {
        let (_, dead) = alice.get(&deliveries).await;
        dead.as_array().is_some_and(|d| d.len() == 1 && d[0]["last_status"] == 404)
    })
    .await;
    let (_, dead) = alice.get(&deliveries).await;
    assert!(dead[0]["last_error"].as_str().unwrap().contains("404"), "{dead}");
    let (_, bot) = alice.get(&format!("/api/v1/bots/{bot_id}")).await;
    assert!(bot["failing_since"].is_i64(), "it is failing: {bot}");
    let (status, _) = alice.get(&format!("{deliveries}?status=lost")).await;
    assert_eq!(status, 422);
    server.finish().await;
}

async fn a_redirect_is_not_followed(backend: Backend) {
    let server = webhook_server(backend, &Clock::system()).await;
    let hook = Receiver::start().await;
    let elsewhere = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let (bot_id, _, secret) =
        make_bot(&alice, json!({"username": "mover", "webhook_url": hook.url, "events": ["message.created"]})).await;
    hook.verify_with(&secret);
    hook.script([Reply::Redirect(elsewhere.url.clone())]);
    let dm = alice.conversation_with(&["mover"]).await;
    alice.say(dm, "follow me").await;
    hook.wait_for(1).await;
    eventually("a dead letter", || async {
        let (_, dead) = alice.get(&format!("/api/v1/bots/{bot_id}/deliveries")).await;
        dead.as_array().is_some_and(|d| d.len() == 1)
    })
    .await;
    let (_, dead) = alice.get(&format!("/api/v1/bots/{bot_id}/deliveries")).await;
    assert_eq!(dead[0]["last_status"], 302);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("redirects are not followed"), "{dead}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(elsewhere.received().is_empty(), "nothing reached where the redirect pointed");
    server.finish().await;
}

async fn a_bot_failing_for_a_day_is_disabled_and_its_owner_told(backend: Backend) {
    let clock = Clock::manual(1_800_000_000_000);
    let server = webhook_server(backend, &clock).await;
    let hook = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let (bot_id, _, secret) =
        make_bot(&alice, json!({"username": "sleepy", "webhook_url": hook.url, "events": ["message.created"]})).await;
    hook.verify_with(&secret);
    let dm = alice.conversation_with(&["sleepy"]).await;
    let bot_path = format!("/api/v1/bots/{bot_id}");

    hook.script([Reply::Status(410), Reply::Status(410)]);
    alice.say(dm, "one").await;
    hook.wait_for(1).await;
    eventually("failing", || async { alice.get(&bot_path).await.1["failing_since"].is_i64() }).await;
    assert_eq!(alice.get(&bot_path).await.1["disabled"], false, "an hour of failures is not a day");

    clock.advance((24 * 3600 + 60) * 1000);
    alice.say(dm, "two").await;
    hook.wait_for(2).await;
    eventually("disabled", || async { alice.get(&bot_path).await.1["disabled"] == true }).await;
    eventually("alice is told", || async {
        inbox(&alice).await.iter().any(|n| n["title"] == "sleepy is disabled" && n["kind"] == "system")
    })
    .await;

    // Disabled: nothing more is sent.
    alice.say(dm, "three").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hook.received().len(), 2);

    // Turned back on, it gets what comes next.
    let (status, bot) = alice.patch(&bot_path, json!({"disabled": false})).await;
    assert_eq!(status, 200, "{bot}");
    assert_eq!((bot["disabled"].clone(), bot["failing_since"].clone()), (json!(false), Value::Null));
    alice.say(dm, "four").await;
    let got = hook.wait_for(3).await;
    assert_eq!(got[2].body["message"]["body"], "four");
    server.finish().await;
}

async fn member_events_tell_a_bot_who_joined_and_left(backend: Backend) {
    let server = webhook_server(backend, &Clock::system()).await;
    let hook = Receiver::start().await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let carol = Api::signup(&server, "carol").await;
    carol.conversation_with(&["alice"]).await;
    let (_, _, secret) = make_bot(&alice, json!({"username": "greeter", "webhook_url": hook.url})).await;
    hook.verify_with(&secret);
    alice.know(&["bob"]).await;
    let (status, group) =
        alice.post("/api/v1/conversations", json!({"members": ["bob", "greeter"], "title": "Club"})).await;
    assert_eq!(status, 201, "{group}");
    let group = group["id"].as_i64().unwrap();
    let got = hook.wait_for(1).await;
    assert_eq!(got[0].body["type"], "conversation.member_added");
    assert_eq!(got[0].body["member"]["username"], "greeter", "a new conversation tells the bot it is in it");
    assert_eq!(got[0].body["conversation"]["title"], "Club");

    let (status, _) = alice.post(&format!("/api/v1/conversations/{group}/members"), json!({"username": "carol"})).await;
    assert_eq!(status, 200);
    let got = hook.wait_for(2).await;
    assert_eq!(
        (got[1].body["type"].clone(), got[1].body["member"]["username"].clone()),
        (json!("conversation.member_added"), json!("carol"))
    );
    let (status, _) = bob.delete(&format!("/api/v1/conversations/{group}/members/bob")).await;
    assert_eq!(status, 204);
    let got = hook.wait_for(3).await;
    assert_eq!(
        (got[2].body["type"].clone(), got[2].body["member"]["username"].clone()),
        (json!("conversation.member_removed"), json!("bob"))
    );
    // Removed itself, the bot still hears it.
    let (status, _) = alice.delete(&format!("/api/v1/conversations/{group}/members/greeter")).await;
    assert_eq!(status, 204);
    let got = hook.wait_for(4).await;
    assert_eq!(got[3].body["member"]["username"], "greeter");
    assert!(got.iter().all(|r| r.signature_ok));
    server.finish().await;
}

async fn a_bot_shows_it_is_typing_over_rest(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (_, token, _) = make_bot(&alice, json!({"username": "thinker"})).await;
    let bot = Api::with_token(&server, &token);
    let dm = alice.conversation_with(&["thinker"]).await;
    let mut socket = WsClient::connect(&server, &alice.token).await;

    let (status, body) = bot.post(&format!("/api/v1/conversations/{dm}/typing"), json!({})).await;
    assert_eq!(status, 204, "{body}");
    let frame = socket.next_of("typing").await;
    assert_eq!(frame["conversation_id"], dm);
    assert_eq!((frame["user"]["username"].clone(), frame["user"]["is_bot"].clone()), (json!("thinker"), json!(true)));

    let elsewhere = carol.conversation_with(&["alice"]).await;
    let (status, _) = bot.post(&format!("/api/v1/conversations/{elsewhere}/typing"), json!({})).await;
    assert_eq!(status, 403, "only where it is a member");
    let (status, _) = bot.post("/api/v1/conversations/999999/typing", json!({})).await;
    assert_eq!(status, 404);
    server.finish().await;
}

async fn an_incoming_hook_posts_as_the_bot_once_per_client_id(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let (bot_id, _, _) = make_bot(&alice, json!({"username": "ci-bot"})).await;
    let (carols_bot, _, _) = make_bot(&carol, json!({"username": "carolbot"})).await;
    let dm = alice.conversation_with(&["ci-bot"]).await;
    let hooks = format!("/api/v1/bots/{bot_id}/hooks");

    let (status, hook) = alice.post(&hooks, json!({"conversation_id": dm})).await;
    assert_eq!(status, 201, "{hook}");
    let url = hook["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&server.url("/api/v1/hooks/hook_")), "{url}");
    let (_, listed) = alice.get(&hooks).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("url").is_none(), "the url shows once");

    // Whoever holds the url posts as the bot, with no token.
    let anyone = reqwest::Client::new();
    let post = |body: Value| {
        let (anyone, url) = (anyone.clone(), url.clone());
        async move {
            let r = anyone.post(&url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, first) = post(json!({"text": "Build 42 passed", "client_id": "build-42"})).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["author"]["username"].clone(), first["author"]["is_bot"].clone()),
        (json!("ci-bot"), json!(true))
    );
    let (status, again) = post(json!({"text": "Build 42 passed", "client_id": "build-42"})).await;
    assert_eq!((status, again["id"].clone()), (200, first["id"].clone()), "a retry posts nothing new");
    let (status, _) = post(json!({"body": "Deployed"})).await;
    assert_eq!(status, 201);
    let (_, history) = alice.get(&format!("/api/v1/conversations/{dm}/messages")).await;
    let bodies: Vec<&str> = history.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Build 42 passed", "Deployed"]);

    for (body, code) in [
        (json!({}), "empty_message"),
        (json!({"text": "x", "client_id": "x".repeat(201)}), "invalid_client_id"),
        (json!({"text": "x".repeat(4001)}), "message_too_long"),
    ] {
        let (status, answer) = post(body.clone()).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (422, Some(code)), "{body}: {answer}");
    }
    let r = anyone.post(server.url("/api/v1/hooks/hook_wrong")).json(&json!({"text": "x"})).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // A hook goes only where its bot and its owner both are.
    let (status, body) = carol.post(&format!("/api/v1/bots/{carols_bot}/hooks"), json!({"conversation_id": dm})).await;
    assert_eq!(status, 403, "carol is not in alice's conversation: {body}");
    let solo = carol.conversation_with(&["alice"]).await;
    let (status, body) =
        carol.post(&format!("/api/v1/bots/{carols_bot}/hooks"), json!({"conversation_id": solo})).await;
    assert_eq!((status, body["error"]["code"].clone()), (422, json!("bot_not_member")), "{body}");
    let (status, _) = carol.get(&hooks).await;
    assert_eq!(status, 404, "not carol's bot");

    // Past its burst, a hook is told to wait.
    let mut limited = false;
    for n in 0..30 {
        let (status, _) = post(json!({"text": format!("tick {n}")})).await;
        if status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "a hook is rate-limited");

    let hook_id = hook["id"].as_i64().unwrap();
    let (status, _) = alice.delete(&format!("{hooks}/{hook_id}")).await;
    assert_eq!(status, 204);
    let (status, _) = post(json!({"text": "still there?"})).await;
    assert_eq!(status, 404, "a revoked hook posts nothing");
    assert_eq!(alice.delete(&format!("{hooks}/{hook_id}")).await.0, 404);
    server.finish().await;
}
