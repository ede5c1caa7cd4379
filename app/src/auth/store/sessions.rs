//! SQL for a person's signed-in sessions and their password.

use std::collections::HashSet;

use sqlx::{AssertSqlSafe, Row};

use crate::auth::model::SessionInfo;
use crate::db::{Db, placeholders};
use crate::error::AppError;

/// The user's live sessions, most recently used first.
pub async fn sessions(db: &Db, user_id: i64, current: i64, now: i64) -> Result<Vec<SessionInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT id, device, created_at, last_used_at, expires_at FROM auth_tokens \
         WHERE user_id = $1 AND kind = 'session' AND expires_at > $2 \
         ORDER BY COALESCE(last_used_at, created_at) DESC, id DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            Ok(SessionInfo {
                id,
                device: row.try_get("device")?,
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
                expires_at: row.try_get("expires_at")?,
                current: id == current,
            })
        })
        .collect()
}

/// Ends one of the user's sessions; false if it is not theirs.
pub async fn delete_session(db: &Db, user_id: i64, session_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE id = $1 AND user_id = $2 AND kind = 'session'")
        .bind(session_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of the user but `keep`; returns the ids ended.
pub async fn delete_other_sessions(db: &Db, user_id: i64, keep: i64) -> Result<Vec<i64>, AppError> {
    let rows = sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1 AND kind = 'session' AND id <> $2 RETURNING id")
        .bind(user_id)
        .bind(keep)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

pub async fn set_password_hash(db: &Db, user_id: i64, hash: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Which of `ids` still authenticate at `now` (not deleted, not expired).
pub async fn live_tokens(db: &Db, ids: &[i64], now: i64) -> Result<HashSet<i64>, AppError> {
    let mut live = HashSet::new();
    for chunk in ids.chunks(500) {
        // `$1` is the time; only numbered placeholders go into the statement.
        let sql = format!(
            "SELECT id FROM auth_tokens WHERE (expires_at IS NULL OR expires_at > $1) AND id IN ({})",
            placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            live.insert(row.try_get("id")?);
        }
    }
    Ok(live)
}
