//! SQL for push subscriptions and the delivery queue (server only).

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

use super::model::{Delivery, Device};
use crate::db::{Backend, Db, now_ms};
use crate::error::AppError;

/// Stores a subscription, or moves an existing endpoint to this user with
/// the new keys. Returns its id.
pub async fn upsert_subscription(
    db: &Db,
    user_id: i64,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    label: Option<&str>,
    expiration_time: Option<i64>,
) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, label, expiration_time, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, \
           auth = excluded.auth, label = COALESCE(excluded.label, push_subscriptions.label), \
           expiration_time = excluded.expiration_time \
         RETURNING id",
    )
    .bind(user_id)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .bind(label)
    .bind(expiration_time)
    .bind(now_ms())
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("id")?)
}

/// The user's subscription count, not counting `endpoint` (an upsert of it
/// does not add one).
pub async fn count_other_subscriptions(db: &Db, user_id: i64, endpoint: &str) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2")
        .bind(user_id)
        .bind(endpoint)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// The user's devices, with the push service's origin only.
pub async fn devices(db: &Db, user_id: i64) -> Result<Vec<Device>, AppError> {
    let rows = sqlx::query(
        "SELECT id, label, endpoint, created_at, last_success_at, last_status FROM push_subscriptions \
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let endpoint: String = r.try_get("endpoint")?;
            Ok(Device {
                id: r.try_get("id")?,
                label: r.try_get("label")?,
                origin: url::Url::parse(&endpoint).map(|u| u.origin().ascii_serialization()).unwrap_or_default(),
                created_at: r.try_get("created_at")?,
                last_success_at: r.try_get("last_success_at")?,
                last_status: r.try_get("last_status")?,
            })
        })
        .collect()
}

/// Deletes one of the user's subscriptions by id or endpoint; false if none.
pub async fn delete_subscription(
    db: &Db,
    user_id: i64,
    id: Option<i64>,
    endpoint: Option<&str>,
) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND (id = $2 OR endpoint = $3)")
        .bind(user_id)
        .bind(id.unwrap_or(-1))
        .bind(endpoint.unwrap_or(""))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Queues one push per subscription of each member of the conversation who
/// is not the author, not in `skip_users` (looking at the app) and has not
/// muted it. Runs inside the message's transaction. Returns how many.
pub async fn enqueue_for_message<'c>(
    exec: impl Executor<'c, Database = Any>,
    conversation_id: i64,
    message_id: i64,
    author_id: i64,
    skip_users: &[i64],
    now: i64,
) -> Result<u64, AppError> {
    let mut sql = String::from(
        "INSERT INTO push_jobs (subscription_id, user_id, kind, conversation_id, message_id, status, next_attempt_at, created_at) \
         SELECT s.id, s.user_id, 'message', $1, $2, 'pending', $3, $3 \
         FROM push_subscriptions s JOIN members mb ON mb.user_id = s.user_id AND mb.conversation_id = $1 \
         WHERE mb.muted = 0 AND s.user_id <> $4",
    );
    if !skip_users.is_empty() {
        sql.push_str(&format!(" AND s.user_id NOT IN ({})", placeholders(5, skip_users.len())));
    }
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(conversation_id).bind(message_id).bind(now).bind(author_id);
    for user in skip_users {
        query = query.bind(*user);
    }
    let done = query.execute(exec).await?;
    Ok(done.rows_affected())
}

/// Queues a test push to each of the user's devices.
pub async fn enqueue_test(db: &Db, user_id: i64) -> Result<u64, AppError> {
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO push_jobs (subscription_id, user_id, kind, status, next_attempt_at, created_at) \
         SELECT id, user_id, 'test', 'pending', $2, $2 FROM push_subscriptions WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Everything a worker needs to send one job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub attempts: i64,
    pub shrunk: bool,
    pub created_at: i64,
    pub user_id: i64,
    pub subscription_id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
}

fn job_from_row(r: &AnyRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        attempts: r.try_get("attempts")?,
        shrunk: r.try_get::<i64, _>("shrunk")? != 0,
        created_at: r.try_get("created_at")?,
        user_id: r.try_get("user_id")?,
        subscription_id: r.try_get("subscription_id")?,
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        conversation_id: r.try_get("conversation_id")?,
        message_id: r.try_get("message_id")?,
    })
}

/// Claims up to `limit` due jobs for `lease_ms`. A claimed job is invisible
/// to other workers (and, on PostgreSQL, other nodes) until its lease
/// passes, so each attempt is made once.
pub async fn claim(db: &Db, limit: i64, lease_ms: i64) -> Result<Vec<Job>, AppError> {
    let now = now_ms();
    let sql = match db.backend() {
        // One writer at a time: the UPDATE's subquery cannot race.
        Backend::Sqlite => CLAIM_SQLITE,
        Backend::Postgres => CLAIM_POSTGRES,
    };
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(sql).bind(now).bind(now + lease_ms).bind(limit).fetch_all(&mut *tx).await?;
    let ids: Vec<i64> = claimed.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT j.id, j.kind, j.attempts, j.shrunk, j.created_at, j.user_id, j.subscription_id, j.conversation_id, \
           j.message_id, s.endpoint, s.p256dh, s.auth \
         FROM push_jobs j JOIN push_subscriptions s ON s.id = j.subscription_id WHERE j.id IN ({}) ORDER BY j.id",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows.iter().map(job_from_row).collect::<Result<_, _>>()?)
}

/// `$from, $from+1, …` — numbered placeholders, which both engines accept
/// (sqlx's `QueryBuilder` writes `?` for the Any driver, which PostgreSQL rejects).
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE push_jobs SET locked_until = $2, attempts = attempts + 1 WHERE id IN (",
            "SELECT id FROM push_jobs WHERE status = 'pending' AND next_attempt_at <= $1 ",
            "AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT $3",
            $lock,
            ") RETURNING id"
        )
    };
}
const CLAIM_SQLITE: &str = claim_sql!("");
const CLAIM_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");

/// The push service accepted the job.
pub async fn mark_done(db: &Db, job: &Job, status: u16) -> Result<(), AppError> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE push_jobs SET status = 'done', locked_until = NULL, last_status = $2, finished_at = $3, last_error = NULL WHERE id = $1")
        .bind(job.id)
        .bind(i64::from(status))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE push_subscriptions SET last_success_at = $2, last_status = $3 WHERE id = $1")
        .bind(job.subscription_id)
        .bind(now)
        .bind(i64::from(status))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Try again at `next_attempt_at` (keeps the job pending).
pub async fn mark_retry(
    db: &Db,
    job: &Job,
    status: Option<u16>,
    error: &str,
    next_attempt_at: i64,
    shrunk: bool,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE push_jobs SET locked_until = NULL, next_attempt_at = $2, last_status = $3, last_error = $4, shrunk = $5 WHERE id = $1",
    )
    .bind(job.id)
    .bind(next_attempt_at)
    .bind(status.map(i64::from))
    .bind(error)
    .bind(i64::from(shrunk))
    .execute(&mut *tx)
    .await?;
    record_subscription_status(&mut tx, job, status).await?;
    tx.commit().await?;
    Ok(())
}

/// Give up: the job becomes a dead letter its owner can see.
pub async fn mark_dead(db: &Db, job: &Job, status: Option<u16>, error: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE push_jobs SET status = 'dead', locked_until = NULL, last_status = $2, last_error = $3, finished_at = $4 WHERE id = $1",
    )
    .bind(job.id)
    .bind(status.map(i64::from))
    .bind(error)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    record_subscription_status(&mut tx, job, status).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_subscription_status(
    tx: &mut crate::db::WriteTx,
    job: &Job,
    status: Option<u16>,
) -> Result<(), AppError> {
    if let Some(status) = status {
        sqlx::query("UPDATE push_subscriptions SET last_status = $2 WHERE id = $1")
            .bind(job.subscription_id)
            .bind(i64::from(status))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The subscription is gone (404/410): delete it and, by cascade, its jobs.
pub async fn prune_subscription(db: &Db, subscription_id: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(subscription_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Pending jobs (for the queue-depth gauge).
pub async fn queue_depth(db: &Db) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM push_jobs WHERE status = 'pending'").fetch_one(db.pool()).await?;
    Ok(row.try_get("n")?)
}

/// The user's deliveries with `status`, newest first.
pub async fn deliveries(db: &Db, user_id: i64, status: &str, limit: i64) -> Result<Vec<Delivery>, AppError> {
    let rows = sqlx::query(
        "SELECT id, subscription_id, kind, conversation_id, message_id, status, attempts, last_status, last_error, \
           created_at, finished_at FROM push_jobs WHERE user_id = $1 AND status = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(status)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Delivery {
                id: r.try_get("id")?,
                subscription_id: r.try_get("subscription_id")?,
                kind: r.try_get("kind")?,
                conversation_id: r.try_get("conversation_id")?,
                message_id: r.try_get("message_id")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_status: r.try_get("last_status")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
                finished_at: r.try_get("finished_at")?,
            })
        })
        .collect()
}

/// Forgets finished jobs: delivered after a day, dead letters after 30 days.
pub async fn prune_finished(db: &Db) -> Result<u64, AppError> {
    let now = now_ms();
    let done = sqlx::query(
        "DELETE FROM push_jobs WHERE (status = 'done' AND finished_at < $1) OR (status = 'dead' AND finished_at < $2)",
    )
    .bind(now - 24 * 3600 * 1000)
    .bind(now - 30 * 24 * 3600 * 1000)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Sets whether a member gets pushes for a conversation.
pub async fn set_muted(db: &Db, conversation_id: i64, user_id: i64, muted: bool) -> Result<(), AppError> {
    sqlx::query("UPDATE members SET muted = $3 WHERE conversation_id = $1 AND user_id = $2")
        .bind(conversation_id)
        .bind(user_id)
        .bind(i64::from(muted))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// What the notification for a message says: author, conversation, text,
/// and the recipient's unread total.
pub struct MessageContext {
    pub author: String,
    pub title: Option<String>,
    pub is_group: bool,
    pub body: String,
    pub unread: i64,
}

pub async fn message_context(db: &Db, message_id: i64, recipient: i64) -> Result<Option<MessageContext>, AppError> {
    let row = sqlx::query(
        "SELECT u.username, c.title, c.kind, m.body FROM messages m JOIN users u ON u.id = m.author_id \
         JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1",
    )
    .bind(message_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(MessageContext {
        author: row.try_get("username")?,
        title: row.try_get("title")?,
        is_group: row.try_get::<String, _>("kind")? == "group",
        body: row.try_get("body")?,
        unread: unread_total(db, recipient).await?,
    }))
}

/// Messages from others after the user's read pointers, over all conversations.
pub async fn unread_total(db: &Db, user_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM members mb JOIN messages x ON x.conversation_id = mb.conversation_id \
         WHERE mb.user_id = $1 AND x.id > mb.last_read_id AND x.author_id <> $1",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}
