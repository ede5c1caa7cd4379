//! Messages to send later (server only): a bot or a person schedules a
//! message for a time, and the scheduler sends it then through the normal
//! send path, so access checks, fan-out and pushes are the same.
//!
//! Exactly once: the scheduled row's `client_id` becomes the message's, so a
//! send repeated after a crash (or by a second node) returns the original.
//! A schedule that can no longer be sent (the author left, the conversation
//! is gone) is kept with its reason for the author to see, never dropped.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::access::require_member;
use super::model::{validate_body, validate_client_id};
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::db::now_ms;
use crate::error::AppError;

/// How far ahead a message may be scheduled.
pub const MAX_AHEAD_MS: i64 = 366 * 24 * 3600 * 1000;
/// How far in the past `send_at` may be (clock skew); it is then sent at once.
const PAST_TOLERANCE_MS: i64 = 60_000;
/// How long a node holds a due message it is sending.
const CLAIM_MS: i64 = 60_000;
const TICK: Duration = Duration::from_secs(1);
/// Due messages taken per tick, authors in turn (see `store::claim_due`).
const BATCH: i64 = 32;
/// Messages one author may have waiting.
pub const MAX_PENDING_PER_AUTHOR: i64 = 100;

/// A message waiting for its time, or one that could not be sent (`error`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Scheduled {
    pub id: i64,
    pub conversation_id: i64,
    pub client_id: String,
    pub body: String,
    /// Milliseconds since the Unix epoch.
    pub send_at: i64,
    pub created_at: i64,
    /// Why it could not be sent, once that is final.
    pub error: Option<String>,
}

impl Chat {
    /// Schedules `body` for `send_at`. Repeating a `client_id` returns the
    /// pending original (`false`) instead of scheduling it twice.
    pub async fn schedule(
        &self,
        me: &User,
        conversation_id: i64,
        client_id: &str,
        body: &str,
        send_at: i64,
    ) -> Result<(Scheduled, bool), AppError> {
        validate_client_id(client_id)?;
        validate_body(body)?;
        let now = now_ms();
        if send_at < now - PAST_TOLERANCE_MS || send_at > now + MAX_AHEAD_MS {
            return Err(AppError::invalid(
                "invalid_send_at",
                "send_at is milliseconds since the Unix epoch, from now up to a year ahead",
            ));
        }
        require_member(&self.db, conversation_id, me.id).await?;
        let repeat = store::scheduled_for(&self.db, me.id).await?.into_iter().any(|s| s.client_id == client_id);
        if !repeat && store::count_pending_scheduled(&self.db, me.id).await? >= MAX_PENDING_PER_AUTHOR {
            return Err(AppError::invalid(
                "too_many_scheduled",
                format!("at most {MAX_PENDING_PER_AUTHOR} scheduled messages wait at once; cancel one first"),
            ));
        }
        store::insert_scheduled(&self.db, me.id, conversation_id, client_id, body, send_at, now).await
    }

    /// The caller's scheduled messages, soonest first, failed ones included.
    pub async fn scheduled(&self, me: &User) -> Result<Vec<Scheduled>, AppError> {
        store::scheduled_for(&self.db, me.id).await
    }

    /// Cancels (or clears a failed) scheduled message of the caller's.
    pub async fn cancel_scheduled(&self, me: &User, id: i64) -> Result<(), AppError> {
        if !store::delete_scheduled(&self.db, me.id, id).await? {
            return Err(AppError::NotFound("scheduled message".into()));
        }
        Ok(())
    }

    /// Sends what is due; returns how many it handled.
    async fn send_due(&self) -> Result<usize, AppError> {
        let due = store::claim_due(&self.db, now_ms(), BATCH, CLAIM_MS).await?;
        let handled = due.len();
        for item in due {
            let sent = self.send(&item.author, item.conversation_id, &item.client_id, &item.body).await;
            self.settle(item.id, sent).await?;
        }
        Ok(handled)
    }

    /// Records what became of one send.
    async fn settle<T>(&self, id: i64, sent: Result<T, AppError>) -> Result<(), AppError> {
        match sent {
            Ok(_) => {
                metrics::counter!("tidings_scheduled_sent_total").increment(1);
                store::scheduled_sent(&self.db, id).await
            }
            Err(AppError::RateLimited { retry_after }) => {
                store::scheduled_later(&self.db, id, now_ms() + retry_after.max(1) as i64 * 1000).await
            }
            // Also a conflict (its client_id went to another message): it
            // will never succeed, however often it is tried.
            Err(
                err @ (AppError::Forbidden(_)
                | AppError::NotFound(_)
                | AppError::Invalid { .. }
                | AppError::Conflict { .. }),
            ) => {
                metrics::counter!("tidings_scheduled_failed_total").increment(1);
                tracing::warn!(id, %err, "scheduled message cannot be sent; kept with the reason");
                store::scheduled_failed(&self.db, id, &err.to_string()).await
            }
            // Anything else is transient: the claim runs out and it is retried.
            Err(err) => {
                tracing::warn!(id, %err, "scheduled message: send failed; will retry");
                Ok(())
            }
        }
    }
}

/// Starts the scheduler on `tasks`; it stops with `stop`.
pub fn spawn(chat: Chat, tasks: &mut JoinSet<()>, stop: CancellationToken) {
    crate::ticker::spawn("message scheduler", TICK, tasks, stop, move || {
        let chat = chat.clone();
        async move { chat.send_due().await.map(|_| ()) }
    });
}
