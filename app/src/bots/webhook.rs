//! Webhooks as a kind of job (server only): an event for a bot is written
//! in the transaction that caused it, and this handler POSTs it, signed, to
//! the bot's URL. The queue retries (honouring `Retry-After`), dead-letters
//! and keeps each destination from starving the rest; a bot whose webhook
//! has failed for a day is disabled and its owner told.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use url::Url;

use super::signature::sign;
use super::store;
use crate::auth::User;
use crate::chat::model::{ConversationKind, Message};
use crate::clock::Clock;
use crate::db::Db;
use crate::notify::publish::{PublishRequest, To};
use crate::notify::service::{Actor, Notify};
use crate::outbound::{self, ClientOptions, error_chain, literal_private};
use crate::queue::{Handler, Job, NewJob, Outcome};

/// The job kind of every webhook event.
pub const KIND: &str = "webhook";
/// A receiver that has not answered in this long has failed this attempt.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Failing this long disables the bot.
pub const DISABLE_AFTER_MS: i64 = 24 * 3600 * 1000;

/// The conversation an event happened in, as the bot sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventConversation {
    pub id: i64,
    pub kind: ConversationKind,
    pub title: Option<String>,
}

/// What is POSTed: the same bytes on every retry, with a stable `id` the
/// receiver can dedupe on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    /// `evt_…`, also in `Tidings-Event-Id`.
    pub id: String,
    /// `message.created`, `conversation.member_added`, `conversation.member_removed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The bot this is for.
    pub bot: User,
    pub conversation: EventConversation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// Who joined or left (member events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<User>,
}

impl Event {
    pub fn new(event_type: &str, created_at: i64, bot: User, conversation: EventConversation) -> Self {
        Self {
            id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            event_type: event_type.to_owned(),
            created_at,
            bot,
            conversation,
            message: None,
            member: None,
        }
    }

    /// The job that delivers it to `webhook_url`.
    pub fn job(&self, webhook_url: &str) -> NewJob {
        NewJob {
            kind: KIND,
            // Each bot takes its turn with everyone else's jobs.
            owner_id: Some(self.bot.id),
            destination: Url::parse(webhook_url).map(|u| u.origin().ascii_serialization()).unwrap_or_default(),
            target: target(self.bot.id),
            payload: serde_json::to_string(self).expect("plain struct"),
            not_before: None,
        }
    }

    /// The id and type of a stored event (for the deliveries list).
    pub fn id_and_type(payload: &str) -> (String, String) {
        #[derive(Deserialize)]
        struct Head {
            id: String,
            #[serde(rename = "type")]
            event_type: String,
        }
        serde_json::from_str::<Head>(payload).map(|h| (h.id, h.event_type)).unwrap_or_default()
    }
}

/// The queue's target for a bot: deleting it ends its pending jobs.
pub fn target(bot_id: i64) -> String {
    format!("bot:{bot_id}")
}

const SIGNATURE: &str = "tidings-signature";
const EVENT_ID: &str = "tidings-event-id";

/// Sends webhook jobs.
pub struct WebhookHandler {
    pub db: Db,
    pub client: reqwest::Client,
    pub allow_private: bool,
    pub clock: Clock,
    /// Tells an owner their bot was disabled.
    pub notify: Notify,
}

impl WebhookHandler {
    pub fn client(allow_private: bool) -> Result<reqwest::Client, reqwest::Error> {
        outbound::client(&ClientOptions { allow_private, timeout: TIMEOUT, extra_roots: Vec::new() })
    }

    async fn post(&self, url: &str, secret: &str, job: &Job) -> Outcome {
        let dead = |reason: &str| Outcome::Dead { status: None, reason: reason.to_owned() };
        let Ok(url) = Url::parse(url) else { return dead("the webhook URL is not a URL") };
        if !self.allow_private && literal_private(&url) {
            return dead("the webhook URL is not a public address");
        }
        let (event_id, _) = Event::id_and_type(&job.payload);
        let signature = sign(secret, self.clock.now_ms() / 1000, job.payload.as_bytes());
        let started = Instant::now();
        let result = self
            .client
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(SIGNATURE, signature)
            .header(EVENT_ID, event_id)
            .body(job.payload.clone())
            .send()
            .await;
        metrics::histogram!("tidings_webhook_latency_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(response) => classify(response.status().as_u16(), response.headers().get(RETRY_AFTER)),
            Err(err) if err.is_timeout() => Outcome::Retry {
                status: None,
                after: None,
                reason: format!("no answer within {} s", TIMEOUT.as_secs()),
                payload: None,
            },
            // Without the URL: a webhook URL often carries a secret path.
            Err(err) => {
                Outcome::Retry { status: None, after: None, reason: error_chain(&err.without_url()), payload: None }
            }
        }
    }

    /// After a failed attempt: a bot failing for a day is disabled, once,
    /// and its owner gets a notification saying so.
    async fn failed(&self, bot_id: i64, owner_id: i64, username: &str) {
        let now = self.clock.now_ms();
        let since = match store::failed(&self.db, bot_id, now).await {
            Ok(since) => since,
            Err(err) => return tracing::warn!(bot_id, error = %err, "cannot record a failing webhook"),
        };
        if now - since < DISABLE_AFTER_MS {
            return;
        }
        match store::disable(&self.db, bot_id).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(err) => return tracing::warn!(bot_id, error = %err, "cannot disable a failing bot"),
        }
        metrics::counter!("tidings_bots_disabled_total").increment(1);
        tracing::warn!(bot_id, "a bot's webhook failed for a day: bot disabled");
        let owner = match crate::notify::store::username_of(&self.db, owner_id).await {
            Ok(Some(name)) => name,
            _ => return,
        };
        let request = PublishRequest {
            to: To::One(owner),
            title: format!("{username} is disabled"),
            body: Some(
                "Its webhook has failed for a day. Fix it, then turn the bot back on in Settings → Bots.".into(),
            ),
            url: Some("/settings".into()),
            kind: Some("system".into()),
            priority: None,
            tag: Some(format!("bot-disabled-{bot_id}")),
            dedupe_key: Some(format!("bot-disabled-{bot_id}-{since}")),
            send_at: None,
            recurrence: None,
            timezone: None,
        };
        let actor = Actor {
            user: User { id: bot_id, username: username.to_owned(), is_bot: true },
            token_id: None,
            notify_any: true,
        };
        if let Err(err) = self.notify.publish(&actor, &request).await {
            tracing::warn!(bot_id, error = %err, "cannot tell an owner their bot was disabled");
        }
    }
}

#[async_trait::async_trait]
impl Handler for WebhookHandler {
    async fn handle(&self, job: &Job) -> Outcome {
        let bot_id = job.target.strip_prefix("bot:").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default();
        let bot = match store::webhook_target(&self.db, bot_id).await {
            Ok(Some(bot)) => bot,
            Ok(None) => return Outcome::Prune { status: None, reason: "the bot was deleted".into() },
            Err(err) => {
                return Outcome::Retry { status: None, after: None, reason: err.to_string(), payload: None };
            }
        };
        if bot.disabled {
            return Outcome::Dead { status: None, reason: "the bot is disabled".into() };
        }
        let Some(url) = bot.webhook_url.as_deref() else {
            return Outcome::Dead { status: None, reason: "the bot has no webhook URL".into() };
        };
        let outcome = self.post(url, &bot.signing_secret, job).await;
        let status = match &outcome {
            Outcome::Done { .. } => "done",
            Outcome::Retry { .. } => "retry",
            Outcome::Dead { .. } | Outcome::Prune { .. } => "dead",
        };
        metrics::counter!("tidings_webhook_deliveries_total", "outcome" => status).increment(1);
        match &outcome {
            Outcome::Done { .. } => {
                if let Err(err) = store::delivered(&self.db, bot_id).await {
                    tracing::warn!(bot_id, error = %err, "cannot record a working webhook");
                }
            }
            _ => self.failed(bot_id, bot.owner_id, &bot.username).await,
        }
        outcome
    }
}

/// A receiver's status: 2xx is done; 408, 429 and 5xx are worth another
/// try (after its `Retry-After`, capped); a redirect is not followed and,
/// like any other answer, ends the event as a dead letter.
pub fn classify(status: u16, retry_after: Option<&HeaderValue>) -> Outcome {
    let reason = format!("the webhook answered {status}");
    match status {
        200..=299 => Outcome::Done { status: Some(status) },
        408 | 429 | 500..=599 => {
            Outcome::Retry { status: Some(status), after: outbound::retry_after(retry_after), reason, payload: None }
        }
        300..=399 => Outcome::Dead { status: Some(status), reason: format!("{reason}: redirects are not followed") },
        _ => Outcome::Dead { status: Some(status), reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_done_retry_or_dead() {
        assert_eq!(classify(200, None), Outcome::Done { status: Some(200) });
        assert_eq!(classify(204, None), Outcome::Done { status: Some(204) });
        assert!(matches!(
            classify(503, Some(&HeaderValue::from_static("2"))),
            Outcome::Retry { status: Some(503), after: Some(d), .. } if d == Duration::from_secs(2)
        ));
        assert!(matches!(classify(429, None), Outcome::Retry { .. }));
        assert!(matches!(classify(302, None), Outcome::Dead { status: Some(302), .. }));
        assert!(matches!(classify(404, None), Outcome::Dead { status: Some(404), .. }));
    }

    #[test]
    fn an_event_names_its_id_and_type() {
        let conversation = EventConversation { id: 3, kind: ConversationKind::Direct, title: None };
        let event = Event::new("message.created", 1, User::person(9, "echo"), conversation);
        let job = event.job("https://hooks.example.org:8443/in?k=1");
        assert_eq!(job.destination, "https://hooks.example.org:8443");
        assert_eq!(job.target, "bot:9");
        assert_eq!(Event::id_and_type(&job.payload), (event.id.clone(), "message.created".into()));
        assert!(event.id.starts_with("evt_"));
    }
}
