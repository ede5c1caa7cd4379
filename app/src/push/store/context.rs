//! SQL for what a push says: the message shown, the unread count.

use sqlx::Row;

use crate::db::Db;
use crate::error::AppError;

/// What the notification for a message says: author, conversation, text,
/// and the recipient's unread total.
pub struct MessageContext {
    pub conversation_id: i64,
    pub author: String,
    pub title: Option<String>,
    pub is_group: bool,
    pub body: String,
    pub unread: i64,
}

pub async fn message_context(db: &Db, message_id: i64, recipient: i64) -> Result<Option<MessageContext>, AppError> {
    let row = sqlx::query(
        "SELECT m.conversation_id, u.username, c.title, c.kind, m.body FROM messages m JOIN users u ON u.id = m.author_id \
         JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1 AND m.deleted_at IS NULL",
    )
    .bind(message_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(MessageContext {
        conversation_id: row.try_get("conversation_id")?,
        author: row.try_get("username")?,
        title: row.try_get("title")?,
        is_group: row.try_get::<String, _>("kind")? == "group",
        body: row.try_get("body")?,
        unread: unread_total(db, recipient).await?,
    }))
}

/// Messages from others after the user's read pointers, over all conversations.
pub async fn unread_total(db: &Db, user_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM members mb JOIN messages x ON x.conversation_id = mb.conversation_id \
         WHERE mb.user_id = $1 AND x.id > mb.last_read_id AND x.author_id <> $1",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}
