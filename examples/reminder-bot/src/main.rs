//! reminder-bot: a Tidings bot that turns "remind me in 10 minutes to …",
//! "remind me tomorrow at 9 to …" and "every weekday at 8:00 …" into
//! reminders in the sender's notification centre (`POST /api/v1/notifications`
//! with `send_at`, or a `recurrence` rule), and answers with what it
//! understood and when.
//!
//! Configure with `TIDINGS_URL`, `BOT_TOKEN`, `SIGNING_SECRET`, `LISTEN`
//! (default 127.0.0.1:8788) and `REMINDER_TZ` (the IANA zone times are read
//! in; default UTC); set the bot's webhook to `http://<LISTEN>/hook`.

mod parse;
// The same check as echo-agent's: one file, shared by path.
#[path = "../../echo-agent/src/verify.rs"]
mod verify;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono_tz::Tz;
use serde_json::{Value, json};

use parse::Plan;

struct Bot {
    tidings: String,
    token: String,
    secret: String,
    zone: Tz,
    http: reqwest::Client,
    /// Event ids already handled (Tidings retries until it sees a 2xx).
    seen: Mutex<HashSet<String>>,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let zone = std::env::var("REMINDER_TZ").unwrap_or_else(|_| "UTC".into());
    let bot = Arc::new(Bot {
        tidings: env("TIDINGS_URL").trim_end_matches('/').to_owned(),
        token: env("BOT_TOKEN"),
        secret: env("SIGNING_SECRET"),
        zone: zone.parse().unwrap_or_else(|_| panic!("REMINDER_TZ is an IANA zone such as Europe/Madrid, not {zone}")),
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client"),
        seen: Mutex::new(HashSet::new()),
    });
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8788".into());
    let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(bot);
    let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind LISTEN");
    println!("reminder-bot listening on http://{listen}/hook");
    axum::serve(listener, app).await.expect("serve");
}

async fn hook(State(bot): State<Arc<Bot>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (id, event) = match verify::event(&bot.secret, &headers, &body, &bot.seen) {
        Ok(Some(event)) => event,
        Ok(None) => return StatusCode::OK,
        Err(status) => return status,
    };
    if event["type"] == "message.created" {
        tokio::spawn(async move {
            if let Err(err) = handle(&bot, &id, &event).await {
                eprintln!("reminder-bot: event {id}: {err}");
            }
        });
    }
    StatusCode::OK
}

/// Understands the message, sets the reminder, answers.
async fn handle(bot: &Bot, event_id: &str, event: &Value) -> Result<(), reqwest::Error> {
    let conversation = event["conversation"]["id"].as_i64().unwrap_or_default();
    let sender = event["message"]["author"]["username"].as_str().unwrap_or_default();
    let text = event["message"]["body"].as_str().unwrap_or_default();
    let now = chrono::Utc::now().with_timezone(&bot.zone);
    let answer = match parse::parse(text, now) {
        Ok(plan) => match remind(bot, event_id, sender, conversation, &plan).await? {
            Ok(()) => plan.describe(now),
            Err(refused) => format!("I could not set that reminder: {refused}"),
        },
        Err(help) => help,
    };
    let reply = json!({"client_id": verify::client_id_for(&format!("reply:{event_id}")), "body": answer});
    let url = format!("{}/api/v1/conversations/{conversation}/messages", bot.tidings);
    bot.http.post(url).bearer_auth(&bot.token).json(&reply).send().await?.error_for_status()?;
    Ok(())
}

/// Puts the reminder in the sender's notification centre; `Err` holds
/// Tidings' reason when it refuses.
async fn remind(
    bot: &Bot,
    event_id: &str,
    to: &str,
    conversation: i64,
    plan: &Plan,
) -> Result<Result<(), String>, reqwest::Error> {
    let mut body = json!({
        "to": to,
        "kind": "reminder",
        "url": format!("/c/{conversation}"),
        // A retried event sets one reminder.
        "dedupe_key": event_id,
    });
    match plan {
        Plan::Once { at, task } => {
            body["title"] = json!(task);
            body["send_at"] = json!(at.timestamp_millis());
        }
        Plan::Every { rule, task, .. } => {
            body["title"] = json!(task);
            body["recurrence"] = json!(rule);
            body["timezone"] = json!(bot.zone.name());
        }
    }
    let url = format!("{}/api/v1/notifications", bot.tidings);
    let response = bot.http.post(url).bearer_auth(&bot.token).json(&body).send().await?;
    if response.status().is_success() {
        return Ok(Ok(()));
    }
    let error: Value = response.json().await.unwrap_or_default();
    Ok(Err(error["error"]["message"].as_str().unwrap_or("it said no").to_owned()))
}
