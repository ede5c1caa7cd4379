//! SQL for the job queue: writing jobs, claiming them fairly under a lease,
//! and recording what became of them. What people read of it is `report`.

mod caps;
mod claim;
mod report;

pub use caps::{MAX_PENDING_PER_OWNER, MAX_PENDING_PER_TARGET};
pub use claim::claim;
pub use report::{JobInfo, depth_by_kind, list, prune_finished};

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::db::{Backend, Db, now_ms};
use crate::error::AppError;

/// A job to write, inside the producer's transaction.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub owner_id: Option<i64>,
    pub destination: String,
    pub target: String,
    /// JSON for the handler.
    pub payload: String,
    /// Not before (ms since the epoch); `None` is now.
    pub not_before: Option<i64>,
}

/// A claimed job, as its handler sees it.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub owner_id: Option<i64>,
    pub destination: String,
    pub target: String,
    pub payload: String,
    /// Including this one.
    pub attempts: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "(kind, owner_id, destination, target, payload, status, next_attempt_at, created_at, turn)";

/// Where new jobs' turns start: the lowest turn still pending. A job's turn
/// is this plus how many jobs its owner has waiting, so owners take turns
/// (an owner with a backlog of 500 has its next job 500 turns out, a newcomer's
/// goes next) and a claim reads the queue in turn order off an index instead
/// of ranking every due job.
async fn turn_base(conn: &mut sqlx::AnyConnection) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COALESCE(MIN(turn), 0) AS base FROM jobs WHERE status = 'pending'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("base")?)
}

/// Writes one job in the caller's transaction, so it commits with what
/// produced it or not at all; `None` when a cap refused it (see `enqueue_many`).
pub async fn enqueue(conn: &mut sqlx::AnyConnection, job: &NewJob) -> Result<Option<i64>, AppError> {
    let Some(&(_, backlog)) = caps::within_caps(&mut *conn, std::slice::from_ref(job)).await?.first() else {
        return Ok(None);
    };
    let base = turn_base(&mut *conn).await?;
    let now = now_ms();
    let row = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO jobs {COLUMNS} VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8) RETURNING id"
    )))
    .bind(job.kind)
    .bind(job.owner_id)
    .bind(&job.destination)
    .bind(&job.target)
    .bind(&job.payload)
    .bind(job.not_before.unwrap_or(now))
    .bind(now)
    .bind(base + backlog)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(row.try_get("id")?))
}

/// Jobs per statement: well inside both engines' parameter limits.
const JOBS_PER_STATEMENT: usize = 1000;

/// Writes several jobs, a statement per thousand, in the caller's
/// transaction; jobs past a target's or an owner's cap of pending jobs are
/// refused (counted in `tidings_jobs_refused_total`). Returns how many were written.
pub async fn enqueue_many(conn: &mut sqlx::AnyConnection, jobs: &[NewJob]) -> Result<u64, AppError> {
    let kept = caps::within_caps(&mut *conn, jobs).await?;
    if kept.is_empty() {
        return Ok(0);
    }
    let base = turn_base(&mut *conn).await?;
    let mut written = 0;
    for chunk in kept.chunks(JOBS_PER_STATEMENT) {
        written += enqueue_chunk(&mut *conn, chunk, base).await?;
    }
    Ok(written)
}

async fn enqueue_chunk<'c>(
    exec: impl Executor<'c, Database = Any>,
    jobs: &[(&NewJob, i64)],
    base: i64,
) -> Result<u64, AppError> {
    let now = now_ms();
    // `$1` is the time; each job takes the next seven placeholders.
    let rows: Vec<String> = (0..jobs.len())
        .map(|i| {
            let p = 1 + i * 7;
            format!(
                "(${}, ${}, ${}, ${}, ${}, 'pending', ${}, $1, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7
            )
        })
        .collect();
    // Only numbered placeholders went into the statement.
    let sql = format!("INSERT INTO jobs {COLUMNS} VALUES {}", rows.join(", "));
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now);
    for (job, backlog) in jobs {
        query = query
            .bind(job.kind)
            .bind(job.owner_id)
            .bind(&job.destination)
            .bind(&job.target)
            .bind(&job.payload)
            .bind(job.not_before.unwrap_or(now))
            .bind(base + backlog);
    }
    Ok(query.execute(exec).await?.rows_affected())
}

/// Frees the leases a node held before it stopped, so its jobs go again at
/// once: every lease on SQLite (one node), this node's on PostgreSQL.
pub async fn release_leases(db: &Db, node: &str) -> Result<u64, AppError> {
    let done = match db.backend() {
        Backend::Sqlite => {
            sqlx::query("UPDATE jobs SET locked_until = NULL, locked_by = NULL WHERE locked_until IS NOT NULL")
                .execute(db.pool())
                .await?
        }
        Backend::Postgres => {
            sqlx::query("UPDATE jobs SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1")
                .bind(node)
                .execute(db.pool())
                .await?
        }
    };
    Ok(done.rows_affected())
}

pub async fn mark_done(db: &Db, job: &Job, status: Option<u16>) -> Result<(), AppError> {
    finish(db, job, "done", status, None).await?;
    // It answered: the destination is well again.
    sqlx::query("DELETE FROM job_destinations WHERE destination = $1")
        .bind(&job.destination)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn mark_dead(db: &Db, job: &Job, status: Option<u16>, reason: &str) -> Result<(), AppError> {
    finish(db, job, "dead", status, Some(reason)).await
}

async fn finish(db: &Db, job: &Job, outcome: &str, status: Option<u16>, reason: Option<&str>) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE jobs SET status = $2, locked_until = NULL, locked_by = NULL, last_status = $3, last_error = $4, \
         finished_at = $5 WHERE id = $1",
    )
    .bind(job.id)
    .bind(outcome)
    .bind(status.map(i64::from))
    .bind(reason)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Try again at `next_attempt_at`, with a new payload if the handler gave one.
pub async fn mark_retry(
    db: &Db,
    job: &Job,
    next_attempt_at: i64,
    status: Option<u16>,
    reason: &str,
    payload: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE jobs SET locked_until = NULL, locked_by = NULL, next_attempt_at = $2, last_status = $3, \
         last_error = $4, payload = COALESCE($5, payload) WHERE id = $1",
    )
    .bind(job.id)
    .bind(next_attempt_at)
    .bind(status.map(i64::from))
    .bind(reason)
    .bind(payload)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Pending jobs for `target` end (it is gone); returns how many.
pub async fn drop_target<'c>(exec: impl Executor<'c, Database = Any>, target: &str) -> Result<u64, AppError> {
    let done =
        sqlx::query("DELETE FROM jobs WHERE target = $1 AND status = 'pending'").bind(target).execute(exec).await?;
    Ok(done.rows_affected())
}

/// The destination failed again: it rests until `blocked_until`. Returns
/// its failures in a row.
pub async fn destination_failed(db: &Db, destination: &str, rest_ms: impl Fn(i64) -> i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO job_destinations (destination, failures, blocked_until) VALUES ($1, 1, 0) \
         ON CONFLICT (destination) DO UPDATE SET failures = job_destinations.failures + 1 RETURNING failures",
    )
    .bind(destination)
    .fetch_one(db.pool())
    .await?;
    let failures: i64 = row.try_get("failures")?;
    sqlx::query("UPDATE job_destinations SET blocked_until = $2 WHERE destination = $1")
        .bind(destination)
        .bind(now_ms().saturating_add(rest_ms(failures)))
        .execute(db.pool())
        .await?;
    Ok(failures)
}
