//! Push as a kind of job (server only): what a push job says, how it is
//! sent, and what the push service's answer means for the job and the
//! device. The queue (`crate::queue`) does the claiming and the retrying.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::model::Notification;
use super::payload::{SHRUNK_BODY_CHARS, render};
use super::sender::{Outcome as Sent, Push, Sender, Urgency};
use super::store;
use super::validate::decode_b64;
use crate::db::{Db, now_ms};
use crate::queue::{Handler, Job, NewJob, Outcome};

/// A push for a new message.
pub const MESSAGE: &str = "push.message";
/// "Send test notification".
pub const TEST: &str = "push.test";
/// A notification-centre item (or, with `count`, a quiet-hours summary).
pub const NOTIFICATION: &str = "push.notification";
/// Closes what was read on another device (`dismiss.rs`).
pub const DISMISS: &str = "push.dismiss";

/// What a push job carries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PushJob {
    #[serde(default)]
    pub conversation_id: Option<i64>,
    #[serde(default)]
    pub message_id: Option<i64>,
    /// Set after a 413: send the shortened payload.
    #[serde(default)]
    pub shrunk: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<i64>,
    /// A summary of this many held notifications (the newest is `notification_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// An inbox item's kind, for the delivered counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A dismissal: the tags to close.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The queue's target for a device, so a removed device takes its jobs along.
pub fn target(subscription_id: i64) -> String {
    format!("push:{subscription_id}")
}

/// A job for one device.
pub fn job(kind: &'static str, device: &store::Recipient, payload: &PushJob) -> NewJob {
    NewJob {
        kind,
        owner_id: Some(device.user_id),
        destination: device.origin.clone(),
        target: target(device.subscription_id),
        payload: serde_json::to_string(payload).expect("plain struct"),
        not_before: None,
    }
}

/// How a push is worded for its recipient: the preview level and language.
#[derive(Clone, Copy)]
pub(super) struct Words<'a> {
    pub level: crate::notify::PushPreview,
    pub language: Option<&'a str>,
}

/// Sends push jobs.
pub struct PushHandler {
    pub db: Db,
    pub sender: Arc<Sender>,
    /// The push TTL: an older push is not worth sending.
    pub max_age: Duration,
}

#[async_trait::async_trait]
impl Handler for PushHandler {
    async fn handle(&self, job: &Job) -> Outcome {
        match self.try_handle(job).await {
            Ok(outcome) => outcome,
            Err(err) => {
                Outcome::Retry { status: None, after: None, reason: format!("internal error: {err}"), payload: None }
            }
        }
    }

    fn max_age(&self) -> Duration {
        self.max_age
    }
}

impl PushHandler {
    async fn try_handle(&self, job: &Job) -> Result<Outcome, crate::error::AppError> {
        let dead = |reason: &str| Ok(Outcome::Dead { status: None, reason: reason.into() });
        let Ok(payload) = serde_json::from_str::<PushJob>(&job.payload) else { return dead("unreadable job") };
        let Some(subscription_id) = job.target.strip_prefix("push:").and_then(|id| id.parse().ok()) else {
            return dead("not a device");
        };
        let Some(device) = store::subscription_keys(&self.db, subscription_id).await? else {
            return dead("the device was removed");
        };
        // What the push says, and the tag it may leave showing on the device.
        let (body, urgency, topic, shown) = if job.kind == DISMISS {
            let unread = store::unread_total(&self.db, device.user_id).await?
                + crate::notify::store::unread_notifications(&self.db, device.user_id).await?;
            (super::payload::dismissal(&payload.tags, unread), Urgency::Normal, None, None)
        } else {
            let prefs = crate::notify::store::preferences(&self.db, device.user_id).await?;
            let level = if job.kind == TEST { crate::notify::PushPreview::Full } else { prefs.push_preview };
            let words = Words { level, language: prefs.language.as_deref() };
            let Some((note, urgency, topic)) = self.notification(job, &payload, device.user_id, words).await? else {
                return dead("the message no longer exists");
            };
            let note = super::payload::preview(note, level);
            let shown = (job.kind != TEST).then(|| note.tag.clone());
            (render(&note, payload.shrunk.then_some(SHRUNK_BODY_CHARS)), urgency, Some(topic), shown)
        };
        let (Some(p256dh), Some(auth)) = (decode_b64(&device.p256dh), decode_b64(&device.auth)) else {
            return dead("stored subscription keys are unreadable");
        };
        let started = Instant::now();
        let sent = self
            .sender
            .send(Push {
                endpoint: &device.endpoint,
                p256dh: &p256dh,
                auth: &auth,
                payload: &body,
                urgency,
                topic: topic.as_deref(),
            })
            .await;
        metrics::histogram!("tidings_push_request_seconds").record(started.elapsed().as_secs_f64());
        let class = |status: Option<u16>| match status {
            Some(s) if s < 300 => "2xx",
            Some(s) if s >= 500 => "5xx",
            Some(_) => "4xx",
            None => "error",
        };
        Ok(match sent {
            Sent::Accepted(status) => {
                metrics::counter!("tidings_push_sent_total", "class" => "2xx").increment(1);
                let latency = (now_ms() - job.created_at).max(0) as f64 / 1000.0;
                metrics::histogram!("tidings_push_delivery_latency_seconds").record(latency);
                store::record_success(&self.db, subscription_id, status).await?;
                if let Some(tag) = &shown {
                    store::record_shown(&self.db, subscription_id, tag, now_ms()).await?;
                }
                if job.kind == NOTIFICATION {
                    let kind = crate::notify::model::metric_kind(payload.kind.as_deref().unwrap_or_default());
                    metrics::counter!("tidings_notifications_delivered_total", "channel" => "push", "kind" => kind)
                        .increment(1);
                }
                Outcome::Done { status: Some(status) }
            }
            Sent::Gone(status) => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                metrics::counter!("tidings_push_pruned_total").increment(1);
                tracing::info!(job = job.id, device = subscription_id, status, "subscription gone; pruned");
                store::prune_subscription(&self.db, subscription_id).await?;
                Outcome::Prune {
                    status: Some(status),
                    reason: format!("the push service answered {status}: device gone"),
                }
            }
            Sent::TooLarge if !payload.shrunk => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                let shrunk = PushJob { shrunk: true, ..payload };
                Outcome::Retry {
                    status: Some(413),
                    after: None,
                    reason: "payload too large; retrying shortened".into(),
                    payload: Some(serde_json::to_string(&shrunk).expect("plain struct")),
                }
            }
            Sent::TooLarge => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                store::record_status(&self.db, subscription_id, 413).await?;
                Outcome::Dead { status: Some(413), reason: "payload too large even when shortened".into() }
            }
            Sent::Retry { status, retry_after, reason } => {
                metrics::counter!("tidings_push_sent_total", "class" => class(status)).increment(1);
                if let Some(status) = status {
                    store::record_status(&self.db, subscription_id, status).await?;
                }
                Outcome::Retry { status, after: retry_after, reason, payload: None }
            }
            Sent::Failed { status, reason } => {
                metrics::counter!("tidings_push_sent_total", "class" => class(status)).increment(1);
                if let Some(status) = status {
                    store::record_status(&self.db, subscription_id, status).await?;
                }
                Outcome::Dead { status, reason }
            }
        })
    }

    async fn notification(
        &self,
        job: &Job,
        payload: &PushJob,
        user_id: i64,
        words: Words<'_>,
    ) -> Result<Option<(Notification, Urgency, String)>, crate::error::AppError> {
        if job.kind == TEST {
            let unread = store::unread_total(&self.db, user_id).await?;
            let note = Notification {
                private: false,
                notification_id: None,
                title: "Tidings".into(),
                body: super::words::test_body(words.language).into(),
                url: "/".into(),
                conversation_id: None,
                message_id: None,
                tag: "test".into(),
                unread,
            };
            return Ok(Some((note, Urgency::Normal, "test".into())));
        }
        if job.kind == NOTIFICATION {
            return self.inbox_item(payload, user_id, words).await;
        }
        let (Some(conversation_id), Some(message_id)) = (payload.conversation_id, payload.message_id) else {
            return Ok(None);
        };
        let Some(context) = store::message_context(&self.db, message_id, user_id).await? else { return Ok(None) };
        let title = match (&context.title, context.is_group) {
            (Some(title), true) => format!("{} · {title}", context.author),
            _ => context.author.clone(),
        };
        // A quiet-hours summary: the newest message, and how many waited.
        let body = match payload.count {
            Some(n) if n > 1 => super::words::and_more(words.language, &context.body, n),
            _ => context.body,
        };
        let note = Notification {
            private: false,
            notification_id: None,
            title,
            body,
            url: format!("/c/{conversation_id}"),
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
            tag: super::payload::conversation_tag(conversation_id),
            unread: context.unread,
        };
        let urgency = if context.is_group { Urgency::Normal } else { Urgency::High };
        Ok(Some((note, urgency, format!("conv-{conversation_id}"))))
    }
}
