//! SQL for the server's own keys (the VAPID key pair), stored base64.

use sqlx::Row;

use crate::db::{Db, now_ms};
use crate::error::AppError;

/// A stored key, if there is one.
pub async fn server_key(db: &Db, name: &str) -> Result<Option<String>, AppError> {
    let row = sqlx::query("SELECT value FROM server_keys WHERE name = $1").bind(name).fetch_optional(db.pool()).await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

/// Stores a key unless one is there (several nodes starting at once
/// converge on whichever insert won).
pub async fn insert_server_key(db: &Db, name: &str, value: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(value)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Stores a key, replacing any.
pub async fn replace_server_key(db: &Db, name: &str, value: &str) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
    )
    .bind(name)
    .bind(value)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}
