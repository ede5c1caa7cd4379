//! SQL for editing and deleting messages: each change takes the next `rev`
//! of its conversation, so a resuming client can ask for what changed.

use sqlx::Row;

use crate::chat::model::Message;
use crate::db::{Db, WriteTx};
use crate::error::AppError;

use super::messages::message_from_row;

/// Takes the conversation's next change number (locking its row).
pub async fn next_rev(tx: &mut WriteTx, conversation_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("UPDATE conversations SET last_rev = last_rev + 1 WHERE id = $1 RETURNING last_rev")
        .bind(conversation_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("last_rev")?)
}

/// Replaces a live message's text; the changed message, or `None` if it
/// was deleted meanwhile.
pub async fn edit(tx: &mut WriteTx, id: i64, body: &str, now: i64, rev: i64) -> Result<Option<Message>, AppError> {
    let changed = sqlx::query(
        "UPDATE messages SET body = $2, edited_at = $3, rev = $4 WHERE id = $1 AND deleted_at IS NULL RETURNING id",
    )
    .bind(id)
    .bind(body)
    .bind(now)
    .bind(rev)
    .fetch_optional(&mut **tx)
    .await?;
    if changed.is_none() {
        return Ok(None);
    }
    let row = sqlx::query(select_messages!("WHERE m.id = $1")).bind(id).fetch_one(&mut **tx).await?;
    Ok(Some(message_from_row(&row)?))
}

/// Makes a message a tombstone: its text, reactions and mentions are gone. False if
/// it already was one.
pub async fn delete(tx: &mut WriteTx, id: i64, now: i64, rev: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE messages SET body = '', deleted_at = $2, edited_at = NULL, streaming = 0, rev = $3, \
         reactions = '[]' WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(rev)
    .execute(&mut **tx)
    .await?;
    super::clear_reactions(tx, id).await?;
    super::clear_mentions(tx, id).await?;
    Ok(done.rows_affected() > 0)
}

/// Messages with `id <= up_to` changed after `rev`, in change order.
pub async fn changed_since(
    db: &Db,
    conversation_id: i64,
    rev: i64,
    up_to: i64,
    limit: i64,
) -> Result<Vec<Message>, AppError> {
    let rows = sqlx::query(select_messages!(
        "WHERE m.conversation_id = $1 AND m.rev > $2 AND m.id <= $3 ORDER BY m.rev LIMIT $4"
    ))
    .bind(conversation_id)
    .bind(rev)
    .bind(up_to)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(message_from_row).collect::<Result<_, _>>()?)
}

/// A group's owner (`None` for a direct conversation, or none at all).
pub async fn group_owner(db: &Db, conversation_id: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("SELECT owner_id FROM conversations WHERE id = $1 AND kind = 'group'")
        .bind(conversation_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("owner_id")).transpose()?.flatten())
}

/// The seq of a conversation's newest message (0 if none).
pub async fn last_seq(db: &Db, conversation_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT last_seq FROM conversations WHERE id = $1")
        .bind(conversation_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get("last_seq")).transpose()?.unwrap_or(0))
}
