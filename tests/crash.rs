//! Crashes, with the real binary and `kill -9`: a push in flight when the
//! server dies goes out soon after it restarts (its lease names the node,
//! which releases it at start), not after the whole lease has run out.

mod common;

use std::time::{Duration, Instant};

use common::binary::{Binary, free_port, stand_in_site};
use common::push_service::{Reply, TestPushService};
use common::{Backend, TestDb};
use serde_json::{Value, json};

backend_tests!(
    a_push_in_flight_at_a_crash_goes_out_within_seconds_of_the_restart,
    every_acknowledged_message_survives_a_crash_in_a_send_storm
);

async fn token(base: &str, username: &str) -> String {
    let client = reqwest::Client::new();
    let body = json!({"username": username, "password": "correct horse"});
    let r = client.post(format!("{base}/api/v1/auth/register")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let r = client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap();
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn post(base: &str, token: &str, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(token).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn a_push_in_flight_at_a_crash_goes_out_within_seconds_of_the_restart(backend: Backend) {
    app::push::sender::install_crypto_provider();
    let db = TestDb::new(backend).await;
    let site_dir = tempfile::tempdir().unwrap();
    let site = stand_in_site(site_dir.path());
    let port = free_port();
    let env = [("TIDINGS_PUSH_ALLOW_PRIVATE", "1")];
    let push = TestPushService::start().await;
    let phone = push.device("phone");
    // The first push hangs: the server is killed while it is in flight.
    push.script(&phone, vec![Reply::Slow(Duration::from_secs(120), 201)]);

    let server = Binary::start(&site, &db.url, port, &env).await;
    let alice = token(&server.base, "alice").await;
    let bob = token(&server.base, "bob").await;
    post(&server.base, &alice, "/api/v1/push/subscriptions", phone.subscription_json()).await;
    let conversation = post(&server.base, &bob, "/api/v1/conversations", json!({"members": ["alice"]})).await;
    let id = conversation["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/messages");
    post(&server.base, &bob, &path, json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "Dinner?"})).await;
    push.wait_for(&phone, 1).await;

    server.kill9();
    let restarted = Instant::now();
    let server = Binary::start(&site, &db.url, port, &env).await;
    let got = push.wait_for(&phone, 2).await;
    let waited = got[1].at.duration_since(restarted);
    assert!(waited < Duration::from_secs(5), "the push went out {waited:?} after the restart");
    assert_eq!(got[1].payload["body"], "Dinner?");
    drop(server);
    db.cleanup().await;
}

async fn every_acknowledged_message_survives_a_crash_in_a_send_storm(backend: Backend) {
    let db = TestDb::new(backend).await;
    let site_dir = tempfile::tempdir().unwrap();
    let site = stand_in_site(site_dir.path());
    let port = free_port();
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("t.toml");
    std::fs::write(&config, "send_rate = { burst = 100000, per_minute = 1000000 }\n").unwrap();
    let config = config.display().to_string();
    let env = [("TIDINGS_CONFIG", config.as_str())];
    let server = Binary::start(&site, &db.url, port, &env).await;
    let alice = token(&server.base, "alice").await;
    token(&server.base, "bob").await;
    let conversation = post(&server.base, &alice, "/api/v1/conversations", json!({"members": ["bob"]})).await;
    let url = format!("{}/api/v1/conversations/{}/messages", server.base, conversation["id"].as_i64().unwrap());

    // Many senders at once, each sending until the server is gone; every
    // 2xx is a message the server has promised to keep.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::new();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let (client, url, alice, acked) = (client.clone(), url.clone(), alice.clone(), acked.clone());
        senders.spawn(async move {
            loop {
                let client_id = uuid::Uuid::new_v4().to_string();
                let body = json!({"client_id": client_id, "body": format!("storm {client_id}")});
                match client.post(&url).bearer_auth(&alice).json(&body).send().await {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(client_id),
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        });
    }
    while acked.lock().unwrap().len() < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9();
    while senders.join_next().await.is_some() {}
    let acked = acked.lock().unwrap().clone();

    let server = Binary::start(&site, &db.url, port, &env).await;
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let r = reqwest::Client::new()
            .get(format!("{url}?after={after}&limit=200"))
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        let page: Vec<Value> = r.json().await.unwrap();
        let Some(last) = page.last() else { break };
        after = last["id"].as_i64().unwrap();
        stored.extend(page);
    }
    let ids: std::collections::HashSet<&str> = stored.iter().map(|m| m["client_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), stored.len(), "no message stored twice");
    let lost: Vec<&String> = acked.iter().filter(|c| !ids.contains(c.as_str())).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged messages lost: {lost:?}", lost.len(), acked.len());
    let seqs: Vec<i64> = stored.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=stored.len() as i64).collect::<Vec<_>>(), "seqs stay gapless across the crash");
    drop(server);
    db.cleanup().await;
}
