//! SQL for streamed replies: appending in one statement, finishing once,
//! and the drafts left open too long.

use sqlx::Row;

use crate::chat::model::Message;
use crate::db::{Db, WriteTx};
use crate::error::AppError;

use super::messages::message_from_row;

/// Appends `text` to draft `message_id` if `author_id` wrote it, is still a
/// member, it is streaming, it stays within `max_chars`, and (when
/// `expected` is not 0) this is append number `expected`. Returns the new
/// append count and the conversation; `None` if any of that failed.
pub async fn append(
    tx: &mut WriteTx,
    message_id: i64,
    author_id: i64,
    text: &str,
    expected: i64,
    max_chars: i64,
) -> Result<Option<(i64, i64)>, AppError> {
    let row = sqlx::query(
        "UPDATE messages SET body = body || $2, deltas = deltas + 1 \
         WHERE id = $1 AND author_id = $3 AND streaming = 1 AND ($4 = 0 OR deltas = $4 - 1) \
           AND LENGTH(body) + $5 <= $6 \
           AND EXISTS (SELECT 1 FROM members mb WHERE mb.conversation_id = messages.conversation_id AND mb.user_id = $3) \
         RETURNING deltas, conversation_id",
    )
    .bind(message_id)
    .bind(text)
    .bind(author_id)
    .bind(expected)
    .bind(text.chars().count() as i64)
    .bind(max_chars)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get("deltas")?, r.try_get("conversation_id")?))).transpose()?)
}

/// One message by id, as it stands.
pub async fn message_by_id(db: &Db, message_id: i64) -> Result<Option<Message>, AppError> {
    let row = sqlx::query(select_messages!("WHERE m.id = $1")).bind(message_id).fetch_optional(db.pool()).await?;
    Ok(row.as_ref().map(message_from_row).transpose()?)
}

/// Closes a draft, replacing its body if `body` is given; the finished
/// message, or `None` if it was not streaming (finished meanwhile).
pub async fn finish(tx: &mut WriteTx, message_id: i64, body: Option<&str>) -> Result<Option<Message>, AppError> {
    let closed = sqlx::query(
        "UPDATE messages SET streaming = 0, body = COALESCE($2, body) WHERE id = $1 AND streaming = 1 RETURNING id",
    )
    .bind(message_id)
    .bind(body)
    .fetch_optional(&mut **tx)
    .await?;
    if closed.is_none() {
        return Ok(None);
    }
    let row = sqlx::query(select_messages!("WHERE m.id = $1")).bind(message_id).fetch_one(&mut **tx).await?;
    Ok(Some(message_from_row(&row)?))
}

/// Drafts started before `before` (ms) and still open, oldest first:
/// `(id, conversation_id)`.
pub async fn stale_drafts(db: &Db, before: i64, limit: i64) -> Result<Vec<(i64, i64)>, AppError> {
    let rows = sqlx::query(
        "SELECT id, conversation_id FROM messages WHERE streaming = 1 AND created_at < $1 ORDER BY created_at LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("conversation_id")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}
