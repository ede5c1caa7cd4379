//! Caps on pending jobs: one device (target) or one owner cannot fill the
//! queue, however much is sent to them while their push service is away.

use std::collections::HashMap;

use sqlx::{Any, AssertSqlSafe, Row};

use super::NewJob;
use crate::db::placeholders;
use crate::error::AppError;

/// Pending jobs one target (a device) may have; past it new ones are refused.
pub const MAX_PENDING_PER_TARGET: i64 = 100;
/// Pending jobs one owner may have across all their targets.
pub const MAX_PENDING_PER_OWNER: i64 = 1000;

/// Keys per `IN (…)` list: inside both engines' parameter limits.
const KEYS_PER_STATEMENT: usize = 500;

/// The jobs that fit under the caps, in order, each with how many pending
/// jobs its owner had before it (its place in the owner's line, from which
/// its claiming turn follows); counts the rest as refused.
pub async fn within_caps<'j>(
    conn: &mut sqlx::AnyConnection,
    jobs: &'j [NewJob],
) -> Result<Vec<(&'j NewJob, i64)>, AppError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let mut targets: Vec<String> = jobs.iter().map(|j| j.target.clone()).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut owners: Vec<i64> = jobs.iter().filter_map(|j| j.owner_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let mut per_target: HashMap<String, i64> = pending_by(&mut *conn, "target", &targets).await?;
    let mut per_owner: HashMap<i64, i64> = pending_by(&mut *conn, "owner_id", &owners).await?;
    let mut kept = Vec::with_capacity(jobs.len());
    for job in jobs {
        let target = per_target.entry(job.target.clone()).or_default();
        let owner = job.owner_id.map(|id| *per_owner.entry(id).or_default());
        if *target >= MAX_PENDING_PER_TARGET || owner.is_some_and(|n| n >= MAX_PENDING_PER_OWNER) {
            metrics::counter!("tidings_jobs_refused_total", "kind" => job.kind).increment(1);
            continue;
        }
        *target += 1;
        if let Some(id) = job.owner_id {
            *per_owner.entry(id).or_default() += 1;
        }
        kept.push((job, owner.unwrap_or_default()));
    }
    if kept.len() < jobs.len() {
        tracing::warn!(refused = jobs.len() - kept.len(), "pending-job cap reached: jobs not queued");
    }
    Ok(kept)
}

/// Pending jobs per value of `column` (a constant of this file), for `keys`.
async fn pending_by<K>(conn: &mut sqlx::AnyConnection, column: &str, keys: &[K]) -> Result<HashMap<K, i64>, AppError>
where
    K: Clone
        + Eq
        + std::hash::Hash
        + for<'q> sqlx::Encode<'q, Any>
        + sqlx::Type<Any>
        + for<'r> sqlx::Decode<'r, Any>
        + Send,
{
    let mut counts = HashMap::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let sql = format!(
            "SELECT {column} AS k, COUNT(*) AS n FROM jobs WHERE status = 'pending' AND {column} IN ({}) GROUP BY {column}",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind(key.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            counts.insert(row.try_get("k")?, row.try_get("n")?);
        }
    }
    Ok(counts)
}
