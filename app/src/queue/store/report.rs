//! SQL for reading the queue: an owner's jobs (dead letters and all), the
//! depth per kind, and forgetting finished jobs.

use sqlx::Row;

use crate::db::{Db, now_ms};
use crate::error::AppError;

/// A job as its owner may list it (dead letters, pending, done).
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub id: i64,
    pub kind: String,
    pub target: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// Pending jobs per kind (for the queue-depth gauges).
pub async fn depth_by_kind(db: &Db) -> Result<Vec<(String, i64)>, AppError> {
    let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM jobs WHERE status = 'pending' GROUP BY kind")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("n")?))).collect()
}

/// An owner's jobs of kinds starting with `kind_prefix` and with `status`, newest first.
pub async fn list(
    db: &Db,
    owner_id: i64,
    kind_prefix: &str,
    status: &str,
    limit: i64,
) -> Result<Vec<JobInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, target, payload, status, attempts, last_status, last_error, created_at, finished_at \
         FROM jobs WHERE owner_id = $1 AND status = $2 AND kind LIKE $3 ORDER BY id DESC LIMIT $4",
    )
    .bind(owner_id)
    .bind(status)
    // Kinds are dotted slugs: no `%` or `_` of their own to escape.
    .bind(format!("{kind_prefix}%"))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JobInfo {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                target: r.try_get("target")?,
                payload: r.try_get("payload")?,
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
        "DELETE FROM jobs WHERE (status = 'done' AND finished_at < $1) OR (status = 'dead' AND finished_at < $2)",
    )
    .bind(now - 24 * 3600 * 1000)
    .bind(now - 30 * 24 * 3600 * 1000)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}
