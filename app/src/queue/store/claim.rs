//! Claiming due jobs: in turn order off the turn index, at most so many in
//! flight per destination, under this node's lease.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::Job;
use crate::db::{Backend, Db, now_ms, placeholders};
use crate::error::AppError;

/// Due, unleased jobs in turn order, skipping resting destinations and
/// those listed as full. The `+` keeps SQLite on the turn index (it would
/// otherwise range over the due time and sort every due job).
fn candidates_sql(full: usize) -> String {
    let skip = if full == 0 { String::new() } else { format!(" AND j.destination NOT IN ({})", placeholders(3, full)) };
    format!(
        "SELECT j.id, j.destination FROM jobs j \
         WHERE j.status = 'pending' AND +j.next_attempt_at <= $1 AND (j.locked_until IS NULL OR j.locked_until < $1) \
         AND NOT EXISTS (SELECT 1 FROM job_destinations d WHERE d.destination = j.destination AND d.blocked_until > $1){skip} \
         ORDER BY j.turn, j.id LIMIT $2"
    )
}

/// Rows read per look at the queue, per job wanted.
const LOOK_AHEAD: i64 = 4;
/// Looks at the queue per claim: each one skips the destinations the one
/// before found at their in-flight cap.
const LOOKS: usize = 4;

/// Claims up to `limit` jobs for this node until `lease_ms` from now, in
/// turn order, with at most `per_destination` in flight to any destination.
pub async fn claim(db: &Db, node: &str, limit: i64, lease_ms: i64, per_destination: i64) -> Result<Vec<Job>, AppError> {
    let now = now_ms();
    // In flight per destination: the leased jobs, a handful.
    let mut in_flight: HashMap<String, i64> = HashMap::new();
    for row in sqlx::query("SELECT destination, COUNT(*) AS n FROM jobs WHERE locked_until >= $1 GROUP BY destination")
        .bind(now)
        .fetch_all(db.pool())
        .await?
    {
        in_flight.insert(row.try_get("destination")?, row.try_get("n")?);
    }
    let mut ids: Vec<i64> = Vec::new();
    let mut full: Vec<String> =
        in_flight.iter().filter(|(_, n)| **n >= per_destination).map(|(d, _)| d.clone()).collect();
    for _ in 0..LOOKS {
        let want = limit - ids.len() as i64;
        let window = want * LOOK_AHEAD;
        let mut query = sqlx::query(AssertSqlSafe(candidates_sql(full.len()))).bind(now).bind(window);
        for destination in &full {
            query = query.bind(destination.clone());
        }
        let rows = query.fetch_all(db.pool()).await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let destination: String = row.try_get("destination")?;
            let n = in_flight.entry(destination.clone()).or_default();
            if *n >= per_destination || ids.contains(&id) {
                continue;
            }
            *n += 1;
            ids.push(id);
            if *n >= per_destination {
                full.push(destination);
            }
            if ids.len() as i64 >= limit {
                break;
            }
        }
        // Done when enough were found or the queue has no more to show.
        if ids.len() as i64 >= limit || (rows.len() as i64) < window {
            break;
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Taken under the write lock, re-checked: on PostgreSQL another node may
    // have taken some meanwhile (`SKIP LOCKED` passes over those it holds).
    let lock = if db.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT id FROM jobs WHERE id IN ({}) AND status = 'pending' \
           AND (locked_until IS NULL OR locked_until < $3){lock}) \
         RETURNING id, kind, owner_id, destination, target, payload, attempts, created_at",
        placeholders(4, ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now + lease_ms).bind(node).bind(now);
    for id in &ids {
        query = query.bind(*id);
    }
    let mut tx = db.begin_write().await?;
    let rows = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let order: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut jobs: Vec<Job> = rows.iter().map(job_from_row).collect::<Result<_, _>>()?;
    // In the turn order chosen above.
    jobs.sort_by_key(|j| order.get(&j.id).copied());
    Ok(jobs)
}

fn job_from_row(r: &AnyRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        owner_id: r.try_get("owner_id")?,
        destination: r.try_get("destination")?,
        target: r.try_get("target")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
    })
}
