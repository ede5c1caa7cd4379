//! SQL for push jobs: who gets a push for a message, a device's keys, and
//! the deliveries a user may list. The jobs themselves are rows of the one
//! queue (`crate::queue`).

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::chat::level::{EFFECTIVE_LEVEL_SQL, NotifyLevel};
use crate::db::Db;
use crate::db::placeholders;
use crate::error::AppError;
use crate::push::deliver::PushJob;
use crate::push::model::Delivery;

/// One device to push to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub subscription_id: i64,
    pub user_id: i64,
    /// The push service's origin: the job's destination.
    pub origin: String,
    /// What pushes this member in the conversation (`All` outside one).
    pub level: NotifyLevel,
}

/// The devices of the conversation's members who may get a push for a
/// message: not the author, not in `skip_users` (looking at the app); each
/// with its member's level, which the caller applies
/// (`NotifyLevel::pushes`). Read in the message's transaction.
pub async fn recipients_for_message<'c>(
    exec: impl Executor<'c, Database = Any>,
    conversation_id: i64,
    author_id: i64,
    skip_users: &[i64],
) -> Result<Vec<Recipient>, AppError> {
    let mut sql = format!(
        "SELECT s.id, s.user_id, s.origin, {EFFECTIVE_LEVEL_SQL} AS level FROM push_subscriptions s \
         JOIN members mb ON mb.user_id = s.user_id AND mb.conversation_id = $1 \
         JOIN conversations c ON c.id = mb.conversation_id \
         WHERE s.user_id <> $2",
    );
    if !skip_users.is_empty() {
        sql.push_str(&format!(" AND s.user_id NOT IN ({})", placeholders(3, skip_users.len())));
    }
    sql.push_str(" ORDER BY s.id");
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(conversation_id).bind(author_id);
    for user in skip_users {
        query = query.bind(*user);
    }
    let rows = query.fetch_all(exec).await?;
    rows.iter()
        .map(|r| {
            let level = NotifyLevel::parse(&r.try_get::<String, _>("level")?).unwrap_or_default();
            Ok(Recipient { level, ..recipient(r)? })
        })
        .collect()
}

/// Every device of one user (the test push).
pub async fn recipients_for_user(db: &Db, user_id: i64) -> Result<Vec<Recipient>, AppError> {
    let rows = sqlx::query("SELECT id, user_id, origin FROM push_subscriptions WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(recipient).collect()
}

/// Every device of these users (at most a few hundred at a time).
pub async fn recipients_for_users(db: &Db, users: &[i64]) -> Result<Vec<Recipient>, AppError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, user_id, origin FROM push_subscriptions WHERE user_id IN ({}) ORDER BY id",
        placeholders(1, users.len())
    );
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for user in users {
        query = query.bind(*user);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter().map(recipient).collect()
}

pub(super) fn recipient(r: &sqlx::any::AnyRow) -> Result<Recipient, AppError> {
    Ok(Recipient {
        subscription_id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        origin: r.try_get("origin")?,
        level: NotifyLevel::All,
    })
}

/// What sending to a device takes.
#[derive(Debug, Clone)]
pub struct DeviceKeys {
    pub user_id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

pub async fn subscription_keys(db: &Db, subscription_id: i64) -> Result<Option<DeviceKeys>, AppError> {
    let row = sqlx::query("SELECT user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE id = $1")
        .bind(subscription_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(DeviceKeys {
            user_id: r.try_get("user_id")?,
            endpoint: r.try_get("endpoint")?,
            p256dh: r.try_get("p256dh")?,
            auth: r.try_get("auth")?,
        })
    })
    .transpose()
}

/// The user's push deliveries with `status`, newest first.
pub async fn deliveries(db: &Db, user_id: i64, status: &str, limit: i64) -> Result<Vec<Delivery>, AppError> {
    let jobs = crate::queue::store::list(db, user_id, "push.", status, limit).await?;
    Ok(jobs
        .into_iter()
        .map(|job| {
            let payload: PushJob = serde_json::from_str(&job.payload).unwrap_or_default();
            Delivery {
                id: job.id,
                subscription_id: job.target.strip_prefix("push:").and_then(|id| id.parse().ok()).unwrap_or_default(),
                // The kinds' old names: `message` and `test`.
                kind: job.kind.strip_prefix("push.").unwrap_or(&job.kind).to_owned(),
                conversation_id: payload.conversation_id,
                message_id: payload.message_id,
                status: job.status,
                attempts: job.attempts,
                last_status: job.last_status,
                last_error: job.last_error,
                created_at: job.created_at,
                finished_at: job.finished_at,
            }
        })
        .collect())
}
