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
use sqlx::Row;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::access::require_member;
use super::model::{validate_body, validate_client_id};
use super::service::Chat;
use crate::auth::User;
use crate::db::now_ms;
use crate::error::{AppError, internal};

/// How far ahead a message may be scheduled.
pub const MAX_AHEAD_MS: i64 = 366 * 24 * 3600 * 1000;
/// How far in the past `send_at` may be (clock skew); it is then sent at once.
const PAST_TOLERANCE_MS: i64 = 60_000;
/// How long a node holds a due message it is sending.
const CLAIM_MS: i64 = 60_000;
const TICK: Duration = Duration::from_secs(1);
const BATCH: i64 = 32;

/// A message waiting for its time, or one that could not be sent (`error`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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

impl Scheduled {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            conversation_id: row.try_get("conversation_id")?,
            client_id: row.try_get("client_id")?,
            body: row.try_get("body")?,
            send_at: row.try_get("send_at")?,
            created_at: row.try_get("created_at")?,
            error: row.try_get("error")?,
        })
    }
}

const COLUMNS: &str = "id, conversation_id, client_id, body, send_at, created_at, error";

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
        let inserted = sqlx::query(
            "INSERT INTO scheduled_messages (conversation_id, author_id, client_id, body, send_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id",
        )
        .bind(conversation_id)
        .bind(me.id)
        .bind(client_id)
        .bind(body)
        .bind(send_at)
        .bind(now)
        .fetch_optional(self.db.pool())
        .await?;
        let created = inserted.is_some();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM scheduled_messages WHERE author_id = $1 AND client_id = $2"
        )))
        .bind(me.id)
        .bind(client_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| internal("scheduled message vanished"))?;
        Ok((Scheduled::from_row(&row)?, created))
    }

    /// The caller's scheduled messages, soonest first, failed ones included.
    pub async fn scheduled(&self, me: &User) -> Result<Vec<Scheduled>, AppError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM scheduled_messages WHERE author_id = $1 ORDER BY send_at, id"
        )))
        .bind(me.id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(|r| Scheduled::from_row(r).map_err(AppError::from)).collect()
    }

    /// Cancels (or clears a failed) scheduled message of the caller's.
    pub async fn cancel_scheduled(&self, me: &User, id: i64) -> Result<(), AppError> {
        let deleted = sqlx::query("DELETE FROM scheduled_messages WHERE id = $1 AND author_id = $2")
            .bind(id)
            .bind(me.id)
            .execute(self.db.pool())
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(AppError::NotFound("scheduled message".into()));
        }
        Ok(())
    }

    /// Sends what is due; returns how many it handled.
    async fn send_due(&self) -> Result<usize, AppError> {
        let now = now_ms();
        let rows = sqlx::query(
            "SELECT s.id, s.conversation_id, s.author_id, u.username, s.client_id, s.body \
             FROM scheduled_messages s JOIN users u ON u.id = s.author_id \
             WHERE s.send_at <= $1 AND s.claimed_until < $1 AND s.error IS NULL \
             ORDER BY s.send_at, s.id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(self.db.pool())
        .await?;
        let mut handled = 0;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            // Claim it, unless another node just did.
            let claimed = sqlx::query(
                "UPDATE scheduled_messages SET claimed_until = $2 WHERE id = $1 AND claimed_until < $3 AND error IS NULL",
            )
            .bind(id)
            .bind(now + CLAIM_MS)
            .bind(now)
            .execute(self.db.pool())
            .await?;
            if claimed.rows_affected() == 0 {
                continue;
            }
            let author = User { id: row.try_get("author_id")?, username: row.try_get("username")? };
            let conversation_id: i64 = row.try_get("conversation_id")?;
            let client_id: String = row.try_get("client_id")?;
            let body: String = row.try_get("body")?;
            self.settle(id, self.send(&author, conversation_id, &client_id, &body).await).await?;
            handled += 1;
        }
        Ok(handled)
    }

    /// Records what became of one send.
    async fn settle<T>(&self, id: i64, sent: Result<T, AppError>) -> Result<(), AppError> {
        let query = match sent {
            Ok(_) => {
                metrics::counter!("tidings_scheduled_sent_total").increment(1);
                sqlx::query("DELETE FROM scheduled_messages WHERE id = $1").bind(id)
            }
            Err(AppError::RateLimited { retry_after }) => {
                sqlx::query("UPDATE scheduled_messages SET claimed_until = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now_ms() + retry_after.max(1) as i64 * 1000)
            }
            Err(err @ (AppError::Forbidden(_) | AppError::NotFound(_) | AppError::Invalid { .. })) => {
                metrics::counter!("tidings_scheduled_failed_total").increment(1);
                tracing::warn!(id, %err, "scheduled message cannot be sent; kept with the reason");
                sqlx::query("UPDATE scheduled_messages SET error = $2 WHERE id = $1").bind(id).bind(err.to_string())
            }
            // Anything else is transient: the claim runs out and it is retried.
            Err(err) => {
                tracing::warn!(id, %err, "scheduled message: send failed; will retry");
                return Ok(());
            }
        };
        query.execute(self.db.pool()).await?;
        Ok(())
    }
}

/// Starts the scheduler on `tasks`; it stops with `stop`.
pub fn spawn(chat: Chat, tasks: &mut JoinSet<()>, stop: CancellationToken) {
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    if let Err(err) = chat.send_due().await {
                        tracing::warn!(%err, "scheduler: cannot read due messages");
                    }
                }
            }
        }
        tracing::debug!("scheduler stopped");
    });
}
