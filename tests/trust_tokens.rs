//! Who may do what: scoped tokens, sessions a person can see and end, a
//! password change that ends the others, and sockets that close when their
//! session ends. The real router, both backends.

mod common;

use std::time::{Duration, Instant};

use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

backend_tests!(
    a_token_does_only_what_its_scopes_allow,
    a_token_never_makes_tokens_or_sees_sessions,
    sessions_are_listed_by_device_and_can_be_ended,
    a_password_change_ends_every_other_session,
    signing_out_closes_the_sockets_of_that_session,
    signing_out_forgets_the_device_it_registered,
    an_expired_session_closes_its_socket_and_loses_its_device,
);

const PASSWORD: &str = "correct horse";

/// Signs in as `username` from a browser with `user_agent`; the session's secret.
async fn sign_in(server: &TestServer, username: &str, user_agent: &str) -> String {
    let body = json!({"username": username, "password": PASSWORD});
    let r = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("user-agent", user_agent)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn token(api: &Api<'_>, scopes: Value) -> String {
    let (status, body) = api.post("/api/v1/auth/tokens", json!({"name": "bot", "scopes": scopes})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["scopes"], scopes);
    body["token"].as_str().unwrap().to_owned()
}

async fn a_token_does_only_what_its_scopes_allow(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let _bob = Api::signup(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let reader = Api::with_token(&server, &token(&alice, json!(["messages:read"])).await);
    assert_eq!(reader.get("/api/v1/conversations").await.0, 200);
    assert_eq!(reader.get(&format!("/api/v1/conversations/{id}/messages")).await.0, 200);
    assert_eq!(reader.get("/api/v1/me").await.0, 200, "who am I needs no scope");
    let (status, body) = reader
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi"}),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("insufficient_scope")), "{body}");
    let (status, body) = reader.get("/api/v1/push/subscriptions").await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("insufficient_scope")));

    let writer = Api::with_token(&server, &token(&alice, json!(["messages:write"])).await);
    let (status, _) = writer
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "hi"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(writer.get("/api/v1/conversations").await.0, 403, "writing is not reading");
    // The live socket is reading.
    let refused = WsClient::refused(&server, &writer.token).await;
    assert!(refused.contains("403"), "{refused}");

    for bad in [json!([]), json!(["admin"]), json!("messages:read")] {
        let (status, body) = alice.post("/api/v1/auth/tokens", json!({"name": "x", "scopes": bad})).await;
        assert!(status == 422, "{bad}: {status} {body}");
    }
    let (status, body) = alice.post("/api/v1/auth/tokens", json!({"name": "x"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_scopes")));
    server.finish().await;
}

async fn a_token_never_makes_tokens_or_sees_sessions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let all = json!(["messages:read", "messages:write", "push", "notify"]);
    let bot = Api::with_token(&server, &token(&alice, all).await);
    for (status, body) in [
        bot.post("/api/v1/auth/tokens", json!({"name": "more", "scopes": ["push"]})).await,
        bot.get("/api/v1/auth/tokens").await,
        bot.get("/api/v1/auth/sessions").await,
        bot.post("/api/v1/auth/password", json!({"current_password": PASSWORD, "new_password": "x".repeat(12)})).await,
    ] {
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("insufficient_scope")), "{body}");
    }
    // Nor the app's own door (server functions): that is for people.
    let r = reqwest::Client::new()
        .post(server.url("/fn/chat/conversations"))
        .bearer_auth(&bot.token)
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    server.finish().await;
}

async fn sessions_are_listed_by_device_and_can_be_ended(backend: Backend) {
    let server = TestServer::start(backend).await;
    common::signup(&server, "alice").await;
    let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
    let phone = Api::with_token(&server, &sign_in(&server, "alice", pixel).await);
    let laptop = Api::with_token(&server, &sign_in(&server, "alice", mac).await);
    let (status, sessions) = phone.get("/api/v1/auth/sessions").await;
    assert_eq!(status, 200);
    let sessions = sessions.as_array().unwrap().clone();
    assert_eq!(sessions.len(), 3, "sign-up's, the phone's and the laptop's: {sessions:?}");
    let of = |device: &str| sessions.iter().find(|s| s["device"] == device).cloned().unwrap();
    assert_eq!(of("Chrome on Android")["current"], true);
    assert_eq!(of("Safari on macOS")["current"], false);
    let laptop_id = of("Safari on macOS")["id"].as_i64().unwrap();
    assert!(of("Chrome on Android")["last_used_at"].as_i64().is_some(), "the phone has been used: {sessions:?}");
    assert!(of("Safari on macOS")["last_used_at"].is_null(), "the laptop not yet: {sessions:?}");
    assert_eq!(laptop.get("/api/v1/me").await.0, 200);
    let (_, sessions) = phone.get("/api/v1/auth/sessions").await;
    let laptop_used = sessions.as_array().unwrap().iter().find(|s| s["id"] == laptop_id).unwrap()["last_used_at"].clone();
    assert!(laptop_used.as_i64().is_some_and(|at| at >= of("Safari on macOS")["created_at"].as_i64().unwrap()), "{sessions}");
    assert_eq!(phone.delete(&format!("/api/v1/auth/sessions/{laptop_id}")).await.0, 204);
    assert_eq!(laptop.get("/api/v1/me").await.0, 401, "the ended session no longer works");
    assert_eq!(phone.delete(&format!("/api/v1/auth/sessions/{laptop_id}")).await.0, 404);
    let bob = Api::signup(&server, "bob").await;
    let phone_id = of("Chrome on Android")["id"].as_i64().unwrap();
    assert_eq!(bob.delete(&format!("/api/v1/auth/sessions/{phone_id}")).await.0, 404, "not bob's to end");
    assert_eq!(phone.get("/api/v1/me").await.0, 200);
    server.finish().await;
}

async fn a_password_change_ends_every_other_session(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let other = Api::with_token(&server, &sign_in(&server, "alice", "curl/8").await);
    let bot = Api::with_token(&server, &token(&alice, json!(["messages:read"])).await);
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, body) = alice.post("/api/v1/auth/password", change("wrong one", "a new secret")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("bad_credentials")));
    assert_eq!(alice.post("/api/v1/auth/password", change(PASSWORD, "short")).await.0, 422);
    assert_eq!(alice.post("/api/v1/auth/password", change(PASSWORD, "a new secret")).await.0, 204);
    assert_eq!(alice.get("/api/v1/me").await.0, 200, "this session stays");
    assert_eq!(other.get("/api/v1/me").await.0, 401, "every other session ends");
    assert_eq!(bot.get("/api/v1/me").await.0, 200, "tokens are listed apart and stay");
    let old = json!({"username": "alice", "password": PASSWORD});
    let r = reqwest::Client::new().post(server.url("/api/v1/auth/login")).json(&old).send().await.unwrap();
    assert_eq!(r.status(), 401);
    server.finish().await;
}

/// Waits for the socket's close frame; its code.
async fn closed_within(ws: &mut WsClient, limit: Duration) -> Option<u16> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        match tokio::time::timeout(deadline - Instant::now(), ws.stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code.into()),
            Ok(Some(Ok(_))) => continue,
            Ok(_) => return None,
            Err(_) => break,
        }
    }
    panic!("the socket stayed open for {limit:?}");
}

async fn signing_out_closes_the_sockets_of_that_session(backend: Backend) {
    let server = TestServer::start(backend).await;
    common::signup(&server, "alice").await;
    let phone = Api::with_token(&server, &sign_in(&server, "alice", "phone").await);
    let laptop = Api::with_token(&server, &sign_in(&server, "alice", "laptop").await);
    let mut phone_ws = WsClient::connect(&server, &phone.token).await;
    let mut laptop_ws = WsClient::connect(&server, &laptop.token).await;
    let (status, _) = phone.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, 204);
    // Within the heartbeat interval (10 s), with the policy code.
    assert_eq!(closed_within(&mut phone_ws, Duration::from_secs(10)).await, Some(1008));
    assert!(laptop_ws.next_within(Duration::from_secs(6)).await.is_none(), "the other session's socket stays");
    // A revoked personal token closes its socket too.
    let bot_token = token(&laptop, json!(["messages:read"])).await;
    let mut bot_ws = WsClient::connect(&server, &bot_token).await;
    let (_, tokens) = laptop.get("/api/v1/auth/tokens").await;
    let id = tokens[0]["id"].as_i64().unwrap();
    assert_eq!(laptop.delete(&format!("/api/v1/auth/tokens/{id}")).await.0, 204);
    assert_eq!(closed_within(&mut bot_ws, Duration::from_secs(10)).await, Some(1008));
    server.finish().await;
}

async fn signing_out_forgets_the_device_it_registered(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.push.allow_private = true).await;
    common::signup(&server, "bob").await;
    let push = common::push_service::TestPushService::start().await;
    let phone = Api::with_token(&server, &sign_in(&server, "bob", "Chrome/131 (Linux; Android 14)").await);
    let laptop = Api::with_token(&server, &sign_in(&server, "bob", "laptop").await);
    let (status, device) = phone.post("/api/v1/push/subscriptions", push.device("phone").subscription_json()).await;
    assert_eq!(status, 201, "{device}");
    assert_eq!(device["label"], "Chrome on Android", "named after the session's browser");
    let (status, _) = laptop.post("/api/v1/push/subscriptions", push.device("laptop").subscription_json()).await;
    assert_eq!(status, 201);
    assert_eq!(phone.post("/api/v1/auth/logout", json!({})).await.0, 204);
    let (_, devices) = laptop.get("/api/v1/push/subscriptions").await;
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 1, "only the laptop's device is left: {devices:?}");
    server.finish().await;
}

async fn an_expired_session_closes_its_socket_and_loses_its_device(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.push.allow_private = true).await;
    common::signup(&server, "bob").await;
    let push = common::push_service::TestPushService::start().await;
    let phone = Api::with_token(&server, &sign_in(&server, "bob", "Chrome/131 (Linux; Android 14)").await);
    let laptop = Api::with_token(&server, &sign_in(&server, "bob", "laptop").await);
    assert_eq!(phone.post("/api/v1/push/subscriptions", push.device("phone").subscription_json()).await.0, 201);
    assert_eq!(laptop.post("/api/v1/push/subscriptions", push.device("laptop").subscription_json()).await.0, 201);
    let mut phone_ws = WsClient::connect(&server, &phone.token).await;
    let (_, sessions) = phone.get("/api/v1/auth/sessions").await;
    let id = sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_i64().unwrap();

    // The phone's session runs out (as if a month had passed).
    let db = app::db::connect(&server.db.url, 1, false).await.unwrap();
    let now = app::db::now_ms();
    sqlx::query("UPDATE auth_tokens SET expires_at = $1 WHERE id = $2").bind(now - 1).bind(id).execute(db.pool()).await.unwrap();
    assert_eq!(closed_within(&mut phone_ws, Duration::from_secs(10)).await, Some(1008), "closed within the heartbeat");
    assert_eq!(phone.get("/api/v1/me").await.0, 401);

    // The housekeeping prune (every ten minutes) takes its device with it.
    assert_eq!(app::auth::store::delete_expired_sessions(&db, app::db::now_ms()).await.unwrap(), 1);
    let (_, devices) = laptop.get("/api/v1/push/subscriptions").await;
    let labels: Vec<&str> = devices.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap_or("")).collect();
    assert_eq!(labels.len(), 1, "only the laptop's device is left: {devices}");
    assert_ne!(labels[0], "Chrome on Android");
    server.finish().await;
}
