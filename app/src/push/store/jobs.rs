//! SQL for the delivery queue: push jobs, their claims, outcomes and retries.

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::db::{Backend, Db, now_ms};
use crate::error::AppError;
use crate::push::model::Delivery;

use super::subscriptions::record_subscription_status;

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
