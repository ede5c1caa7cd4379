//! echo-agent: the "AI employee" flow with the model replaced by a
//! deterministic function. Tidings POSTs each `message.created` event of
//! the bot's conversations here; the agent checks the signature, answers
//! 200 at once, shows "typing", thinks, and writes back "You said: …".
//!
//! Configure with `TIDINGS_URL`, `BOT_TOKEN`, `SIGNING_SECRET` and
//! `LISTEN` (default 127.0.0.1:8787); set the bot's webhook to
//! `http://<LISTEN>/hook`.

mod verify;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

struct Agent {
    tidings: String,
    token: String,
    secret: String,
    http: reqwest::Client,
    /// Event ids already handled: Tidings retries until it sees a 2xx, so
    /// the same event may come twice.
    seen: Mutex<HashSet<String>>,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let agent = Arc::new(Agent {
        tidings: env("TIDINGS_URL").trim_end_matches('/').to_owned(),
        token: env("BOT_TOKEN"),
        secret: env("SIGNING_SECRET"),
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client"),
        seen: Mutex::new(HashSet::new()),
    });
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8787".into());
    let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(agent);
    let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind LISTEN");
    println!("echo-agent listening on http://{listen}/hook");
    axum::serve(listener, app).await.expect("serve");
}

async fn hook(State(agent): State<Arc<Agent>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get("tidings-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    if !verify::signature(&agent.secret, signature, &body, now) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else { return StatusCode::BAD_REQUEST };
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    if !agent.seen.lock().expect("seen").insert(id.clone()) {
        return StatusCode::OK;
    }
    if event["type"] == "message.created" {
        // Answer the webhook now; think afterwards.
        tokio::spawn(reply(agent, id, event));
    }
    StatusCode::OK
}

async fn reply(agent: Arc<Agent>, event_id: String, event: Value) {
    let conversation = event["conversation"]["id"].as_i64().unwrap_or_default();
    let said = event["message"]["body"].as_str().unwrap_or_default();
    let base = format!("{}/api/v1/conversations/{conversation}", agent.tidings);
    let _ = agent.http.post(format!("{base}/typing")).bearer_auth(&agent.token).send().await;
    // A real agent calls its model here (and, once Tidings streams, sends
    // the answer as it comes). This one thinks for a moment.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let answer = think(said);
    // The event id makes the client id: a retried event answers once.
    let client_id = client_id_for(&event_id);
    let sent = agent
        .http
        .post(format!("{base}/messages"))
        .bearer_auth(&agent.token)
        .json(&json!({"client_id": client_id, "body": answer}))
        .send()
        .await;
    if let Err(err) = sent {
        eprintln!("echo-agent: cannot answer in conversation {conversation}: {err}");
    }
}

/// A UUID made from the event id (the first half of its SHA-256).
fn client_id_for(event_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(event_id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// The "model".
fn think(said: &str) -> String {
    format!("You said: {said}")
}
