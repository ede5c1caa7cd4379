//! SQL for scheduled messages: stored until due, claimed by one node, then
//! deleted once sent (or kept with the reason they cannot be).

use sqlx::Row;

use crate::auth::User;
use crate::auth::store::user_from_row;
use crate::chat::schedule::Scheduled;
use crate::db::Db;
use crate::error::{AppError, internal};

const COLUMNS: &str = "id, conversation_id, client_id, body, send_at, created_at, error";

fn scheduled_from_row(row: &sqlx::any::AnyRow) -> Result<Scheduled, sqlx::Error> {
    Ok(Scheduled {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        client_id: row.try_get("client_id")?,
        body: row.try_get("body")?,
        send_at: row.try_get("send_at")?,
        created_at: row.try_get("created_at")?,
        error: row.try_get("error")?,
    })
}

/// Stores a scheduled message once per `(author, client_id)`; returns the
/// stored row and whether it is new.
/// The author's scheduled messages still waiting (failed ones not counted).
pub async fn count_pending_scheduled(db: &Db, author_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM scheduled_messages WHERE author_id = $1 AND error IS NULL")
        .bind(author_id)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

pub async fn insert_scheduled(
    db: &Db,
    author_id: i64,
    conversation_id: i64,
    client_id: &str,
    body: &str,
    send_at: i64,
    now: i64,
) -> Result<(Scheduled, bool), AppError> {
    let inserted = sqlx::query(
        "INSERT INTO scheduled_messages (conversation_id, author_id, client_id, body, send_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id",
    )
    .bind(conversation_id)
    .bind(author_id)
    .bind(client_id)
    .bind(body)
    .bind(send_at)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_messages WHERE author_id = $1 AND client_id = $2"
    )))
    .bind(author_id)
    .bind(client_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| internal("scheduled message vanished"))?;
    Ok((scheduled_from_row(&row)?, inserted.is_some()))
}

/// The author's scheduled messages, soonest first, failed ones included.
pub async fn scheduled_for(db: &Db, author_id: i64) -> Result<Vec<Scheduled>, AppError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_messages WHERE author_id = $1 ORDER BY send_at, id"
    )))
    .bind(author_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| scheduled_from_row(r).map_err(AppError::from)).collect()
}

/// Deletes one of the author's; false if there was none.
pub async fn delete_scheduled(db: &Db, author_id: i64, id: i64) -> Result<bool, AppError> {
    let deleted = sqlx::query("DELETE FROM scheduled_messages WHERE id = $1 AND author_id = $2")
        .bind(id)
        .bind(author_id)
        .execute(db.pool())
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// A due message, claimed for sending.
pub struct Due {
    pub id: i64,
    pub author: User,
    pub conversation_id: i64,
    pub client_id: String,
    pub body: String,
}

/// Up to `limit` due messages, each claimed by this node for `claim_ms`
/// (one another node just claimed is skipped).
pub async fn claim_due(db: &Db, now: i64, limit: i64, claim_ms: i64) -> Result<Vec<Due>, AppError> {
    let rows = sqlx::query(
        "SELECT s.id, s.conversation_id, s.author_id, u.username, u.is_bot, s.client_id, s.body \
         FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY send_at, id) AS turn \
               FROM scheduled_messages WHERE send_at <= $1 AND claimed_until < $1 AND error IS NULL) s \
         JOIN users u ON u.id = s.author_id \
         ORDER BY s.turn, s.send_at, s.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut due = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let claimed = sqlx::query(
            "UPDATE scheduled_messages SET claimed_until = $2 WHERE id = $1 AND claimed_until < $3 AND error IS NULL",
        )
        .bind(id)
        .bind(now + claim_ms)
        .bind(now)
        .execute(db.pool())
        .await?;
        if claimed.rows_affected() == 1 {
            due.push(Due {
                id,
                author: user_from_row(&row, "author_id", "username", "is_bot")?,
                conversation_id: row.try_get("conversation_id")?,
                client_id: row.try_get("client_id")?,
                body: row.try_get("body")?,
            });
        }
    }
    Ok(due)
}

/// Sent: it goes.
pub async fn scheduled_sent(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM scheduled_messages WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}

/// Not before `until`: the claim stays until then.
pub async fn scheduled_later(db: &Db, id: i64, until: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE scheduled_messages SET claimed_until = $2 WHERE id = $1")
        .bind(id)
        .bind(until)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// It can never be sent: kept with the reason.
pub async fn scheduled_failed(db: &Db, id: i64, reason: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE scheduled_messages SET error = $2 WHERE id = $1")
        .bind(id)
        .bind(reason)
        .execute(db.pool())
        .await?;
    Ok(())
}
