//! The delivery queue's workers (server only). They claim due jobs under a
//! lease, send them, and record the outcome: done, retry later (backoff
//! with jitter, honouring Retry-After), prune the subscription, or dead.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ring::rand::SecureRandom;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::model::Notification;
use super::payload::{SHRUNK_BODY_CHARS, render};
use super::sender::{Outcome, Push, Sender, Urgency};
use super::store::{self, Job};
use super::validate::decode_b64;
use crate::db::{Db, now_ms};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct QueueConfig {
    pub workers: usize,
    /// Jobs a worker claims at once.
    pub batch: i64,
    /// How long a claim lasts before another worker may take the job.
    pub lease: Duration,
    /// Attempts before a job becomes a dead letter.
    pub max_attempts: i64,
    /// Age after which a job is dead whatever its attempts (the push TTL).
    pub max_age: Duration,
    /// First retry delay; doubles per attempt.
    pub retry_base: Duration,
    pub retry_max: Duration,
}

/// Owns the workers; `wake` is poked when jobs are queued.
pub struct Queue {
    db: Db,
    sender: Arc<Sender>,
    config: QueueConfig,
    wake: Arc<Notify>,
}

impl Queue {
    pub fn new(db: Db, sender: Arc<Sender>, config: QueueConfig, wake: Arc<Notify>) -> Arc<Self> {
        Arc::new(Self { db, sender, config, wake })
    }

    /// Starts the workers on `tasks`; they finish their batch and stop when
    /// `stop` is cancelled. Unfinished jobs stay in the database.
    pub fn spawn(self: &Arc<Self>, tasks: &mut JoinSet<()>, stop: CancellationToken) {
        if self.config.workers == 0 {
            tracing::warn!("push workers disabled: pushes stay queued");
        }
        for n in 0..self.config.workers {
            let queue = self.clone();
            let stop = stop.clone();
            tasks.spawn(async move {
                queue.run(&stop).await;
                tracing::debug!(worker = n, "push worker stopped");
            });
        }
    }

    async fn run(&self, stop: &CancellationToken) {
        while !stop.is_cancelled() {
            let jobs = match store::claim(&self.db, self.config.batch, self.config.lease.as_millis() as i64).await {
                Ok(jobs) => jobs,
                Err(err) => {
                    tracing::warn!(%err, "push queue: cannot claim jobs");
                    Vec::new()
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.cancelled() => {}
                }
                continue;
            }
            if jobs.len() as i64 == self.config.batch {
                self.wake.notify_one(); // more may be waiting: bring in another worker
            }
            futures_util::future::join_all(jobs.into_iter().map(|job| self.process(job))).await;
        }
    }

    async fn process(&self, job: Job) {
        if let Err(err) = self.try_process(&job).await {
            tracing::warn!(job = job.id, %err, "push job failed to update; its lease will expire and it will be retried");
        }
    }

    async fn try_process(&self, job: &Job) -> Result<(), AppError> {
        let endpoint_hash = short_hash(&job.endpoint);
        let Some((notification, urgency, topic)) = self.notification(job).await? else {
            store::mark_dead(&self.db, job, None, "the message no longer exists").await?;
            return Ok(());
        };
        let payload = render(&notification, job.shrunk.then_some(SHRUNK_BODY_CHARS));
        let (Some(p256dh), Some(auth)) = (decode_b64(&job.p256dh), decode_b64(&job.auth)) else {
            store::mark_dead(&self.db, job, None, "stored subscription keys are unreadable").await?;
            return Ok(());
        };
        let started = Instant::now();
        let outcome = self
            .sender
            .send(Push {
                endpoint: &job.endpoint,
                p256dh: &p256dh,
                auth: &auth,
                payload: &payload,
                urgency,
                topic: Some(&topic),
            })
            .await;
        metrics::histogram!("tidings_push_request_seconds").record(started.elapsed().as_secs_f64());
        match outcome {
            Outcome::Accepted(status) => {
                metrics::counter!("tidings_push_sent_total", "class" => "2xx").increment(1);
                let latency = (now_ms() - job.created_at).max(0) as f64 / 1000.0;
                metrics::histogram!("tidings_push_delivery_latency_seconds").record(latency);
                tracing::debug!(job = job.id, endpoint = %endpoint_hash, status, "push accepted");
                store::mark_done(&self.db, job, status).await
            }
            Outcome::Gone(status) => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                metrics::counter!("tidings_push_pruned_total").increment(1);
                tracing::info!(job = job.id, endpoint = %endpoint_hash, status, "subscription gone; pruned");
                store::prune_subscription(&self.db, job.subscription_id).await
            }
            Outcome::TooLarge if !job.shrunk => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                metrics::counter!("tidings_push_retries_total").increment(1);
                store::mark_retry(&self.db, job, Some(413), "payload too large; retrying shortened", now_ms(), true)
                    .await
            }
            Outcome::TooLarge => {
                metrics::counter!("tidings_push_sent_total", "class" => "4xx").increment(1);
                self.dead(job, Some(413), "payload too large even when shortened", &endpoint_hash).await
            }
            Outcome::Retry { status, retry_after, reason } => {
                let class = match status {
                    Some(s) if s >= 500 => "5xx",
                    Some(_) => "4xx",
                    None => "error",
                };
                metrics::counter!("tidings_push_sent_total", "class" => class).increment(1);
                let age = Duration::from_millis((now_ms() - job.created_at).max(0) as u64);
                if job.attempts >= self.config.max_attempts || age >= self.config.max_age {
                    let why = format!("{reason} (gave up after {} attempts)", job.attempts);
                    return self.dead(job, status, &why, &endpoint_hash).await;
                }
                let delay = self.backoff(job.attempts).max(retry_after.unwrap_or_default());
                metrics::counter!("tidings_push_retries_total").increment(1);
                tracing::info!(job = job.id, endpoint = %endpoint_hash, ?status, delay_ms = delay.as_millis() as u64, %reason, "push will be retried");
                store::mark_retry(&self.db, job, status, &reason, now_ms() + delay.as_millis() as i64, job.shrunk).await
            }
            Outcome::Failed { status, reason } => {
                metrics::counter!("tidings_push_sent_total", "class" => if status.is_some() { "4xx" } else { "error" })
                    .increment(1);
                self.dead(job, status, &reason, &endpoint_hash).await
            }
        }
    }

    async fn dead(&self, job: &Job, status: Option<u16>, reason: &str, endpoint_hash: &str) -> Result<(), AppError> {
        metrics::counter!("tidings_push_dead_total").increment(1);
        tracing::warn!(job = job.id, endpoint = %endpoint_hash, ?status, %reason, "push dead-lettered");
        store::mark_dead(&self.db, job, status, reason).await
    }

    /// `retry_base · 2^(attempts-1)`, capped, with ±25 % jitter so a busy
    /// push service is not hit by every retry at once.
    fn backoff(&self, attempts: i64) -> Duration {
        let exp = attempts.clamp(1, 20) as u32 - 1;
        let base = self.config.retry_base.saturating_mul(1 << exp).min(self.config.retry_max);
        let mut byte = [0u8; 1];
        let _ = ring::rand::SystemRandom::new().fill(&mut byte);
        let factor = 0.75 + f64::from(byte[0]) / 255.0 * 0.5;
        base.mul_f64(factor)
    }

    async fn notification(&self, job: &Job) -> Result<Option<(Notification, Urgency, String)>, AppError> {
        if job.kind == "test" {
            let unread = store::unread_total(&self.db, job.user_id).await?;
            let note = Notification {
                title: "Tidings".into(),
                body: "Notifications are working.".into(),
                url: "/".into(),
                conversation_id: None,
                message_id: None,
                tag: "test".into(),
                unread,
            };
            return Ok(Some((note, Urgency::Normal, "test".into())));
        }
        let (Some(conversation_id), Some(message_id)) = (job.conversation_id, job.message_id) else { return Ok(None) };
        let Some(context) = store::message_context(&self.db, message_id, job.user_id).await? else { return Ok(None) };
        let title = match (&context.title, context.is_group) {
            (Some(title), true) => format!("{} · {title}", context.author),
            _ => context.author.clone(),
        };
        let note = Notification {
            title,
            body: context.body,
            url: format!("/c/{conversation_id}"),
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
            tag: format!("conversation-{conversation_id}"),
            unread: context.unread,
        };
        let urgency = if context.is_group { Urgency::Normal } else { Urgency::High };
        Ok(Some((note, urgency, format!("conv-{conversation_id}"))))
    }
}

/// The first 8 hex digits of the endpoint's SHA-256: enough to correlate
/// log lines, useless for reaching the device.
pub fn short_hash(endpoint: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(endpoint.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect()
}
