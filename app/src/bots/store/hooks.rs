//! SQL for incoming webhooks: a secret URL per bot and conversation, kept
//! as the secret's hash.

use sqlx::Row;

use crate::auth::User;
use crate::auth::session::hash_secret;
use crate::bots::model::Hook;
use crate::db::{Db, now_ms};
use crate::error::AppError;

/// Stores a hook for `secret`; returns its id and creation time.
pub async fn insert_hook(db: &Db, bot_id: i64, conversation_id: i64, secret: &str) -> Result<(i64, i64), AppError> {
    let now = now_ms();
    let row = sqlx::query(
        "INSERT INTO bot_hooks (bot_id, conversation_id, secret_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(bot_id)
    .bind(conversation_id)
    .bind(hash_secret(secret))
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("id")?, now))
}

/// A bot's hooks, oldest first (without their URLs: only the hash is kept).
pub async fn hooks_of(db: &Db, bot_id: i64) -> Result<Vec<Hook>, AppError> {
    let rows = sqlx::query(
        "SELECT id, bot_id, conversation_id, created_at, last_used_at FROM bot_hooks WHERE bot_id = $1 ORDER BY id",
    )
    .bind(bot_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Hook {
                id: row.try_get("id")?,
                bot_id: row.try_get("bot_id")?,
                conversation_id: row.try_get("conversation_id")?,
                url: None,
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Deletes one of a bot's hooks; false if it has no such hook.
pub async fn delete_hook(db: &Db, bot_id: i64, hook_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM bot_hooks WHERE id = $1 AND bot_id = $2")
        .bind(hook_id)
        .bind(bot_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The hook a secret opens: its id, conversation and bot (enabled or not).
pub struct HookTarget {
    pub id: i64,
    pub conversation_id: i64,
    pub bot: User,
}

pub async fn hook_by_secret(db: &Db, secret: &str) -> Result<Option<HookTarget>, AppError> {
    let row = sqlx::query(
        "SELECT h.id, h.conversation_id, h.bot_id, u.username FROM bot_hooks h JOIN users u ON u.id = h.bot_id \
         WHERE h.secret_hash = $1",
    )
    .bind(hash_secret(secret))
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(HookTarget {
            id: row.try_get("id")?,
            conversation_id: row.try_get("conversation_id")?,
            bot: User { id: row.try_get("bot_id")?, username: row.try_get("username")?, is_bot: true },
        })
    })
    .transpose()
}

pub async fn hook_used(db: &Db, hook_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE bot_hooks SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(hook_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
