//! echo-agent: the "AI employee" flow with the model replaced by a
//! deterministic function. Tidings POSTs each `message.created` event of
//! the bot's conversations here; the agent checks the signature, answers
//! 200 at once, shows "typing", thinks, and streams back "You said: …"
//! word by word, then finishes the reply.
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
    /// The pause between streamed words (`WORD_DELAY_MS`, default 150).
    word_delay_ms: u64,
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
        word_delay_ms: std::env::var("WORD_DELAY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(150),
    });
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8787".into());
    let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(agent);
    let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind LISTEN");
    println!("echo-agent listening on http://{listen}/hook");
    axum::serve(listener, app).await.expect("serve");
}

async fn hook(State(agent): State<Arc<Agent>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (id, event) = match verify::event(&agent.secret, &headers, &body, &agent.seen) {
        Ok(Some(event)) => event,
        Ok(None) => return StatusCode::OK,
        Err(status) => return status,
    };
    if event["type"] == "message.created" {
        // Answer the webhook now; think afterwards.
        tokio::spawn(reply(agent, id, event));
    }
    StatusCode::OK
}

async fn reply(agent: Arc<Agent>, event_id: String, event: Value) {
    let conversation = event["conversation"]["id"].as_i64().unwrap_or_default();
    let said = event["message"]["body"].as_str().unwrap_or_default();
    if let Err(err) = stream_reply(&agent, &event_id, conversation, said).await {
        eprintln!("echo-agent: cannot answer in conversation {conversation}: {err}");
    }
}

/// Typing, then the answer streamed word by word, then finished.
async fn stream_reply(agent: &Agent, event_id: &str, conversation: i64, said: &str) -> Result<(), reqwest::Error> {
    let api = format!("{}/api/v1", agent.tidings);
    let base = format!("{api}/conversations/{conversation}");
    agent.post(&format!("{base}/typing"), &json!({})).await?;
    // A real agent calls its model here and streams the tokens as they come
    // (see the README). This one thinks for a moment.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let answer = think(said);
    // The event id makes the client id: a retried event starts no second reply.
    let start = json!({"client_id": verify::client_id_for(event_id), "body": "", "streaming": true});
    let draft: Value = agent.post(&format!("{base}/messages"), &start).await?.json().await?;
    let (Some(id), true) = (draft["id"].as_i64(), draft["streaming"] == true) else { return Ok(()) };
    let pause = Duration::from_millis(agent.word_delay_ms);
    for (n, word) in words(&answer).enumerate() {
        // Numbered, so a retry after a lost answer never doubles a word.
        let piece = json!({"text": word, "seq": n + 1});
        agent.post(&format!("{api}/messages/{id}/append"), &piece).await?.error_for_status()?;
        tokio::time::sleep(pause).await;
    }
    agent.post(&format!("{api}/messages/{id}/finish"), &json!({"body": answer})).await?.error_for_status()?;
    Ok(())
}

impl Agent {
    async fn post(&self, url: &str, body: &Value) -> Result<reqwest::Response, reqwest::Error> {
        self.http.post(url).bearer_auth(&self.token).json(body).send().await
    }
}

/// The answer in pieces as a model would stream them: each word with the
/// space before it.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut starts: Vec<usize> = text.char_indices().filter(|&(i, c)| c == ' ' && i > 0).map(|(i, _)| i).collect();
    starts.insert(0, 0);
    starts.push(text.len());
    starts.dedup();
    (0..starts.len() - 1).map(move |i| &text[starts[i]..starts[i + 1]]).filter(|w| !w.is_empty())
}

/// The "model".
fn think(said: &str) -> String {
    format!("You said: {said}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_keep_their_spaces_and_join_back_to_the_text() {
        let text = "You said: hello  there";
        let pieces: Vec<&str> = super::words(text).collect();
        assert_eq!(pieces, ["You", " said:", " hello", " ", " there"]);
        assert_eq!(pieces.concat(), text);
        assert_eq!(super::words("").count(), 0);
    }
}
