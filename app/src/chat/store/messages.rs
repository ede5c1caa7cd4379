//! SQL for messages: storing one in order, history pages, read pointers.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::auth::store::user_from_row;
use crate::chat::model::{Message, ReplyTo, quote};
use crate::db::{Db, WriteTx};
use crate::error::AppError;

pub(super) fn message_from_row(row: &AnyRow) -> Result<Message, sqlx::Error> {
    Ok(Message {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        seq: row.try_get("seq")?,
        author: user_from_row(row, "author_id", "author_username", "author_is_bot")?,
        client_id: row.try_get("client_id")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        streaming: row.try_get::<i64, _>("streaming")? != 0,
        deltas: row.try_get("deltas")?,
        edited_at: row.try_get("edited_at")?,
        deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
        rev: row.try_get("rev")?,
        reactions: super::reactions::parse_summary(&row.try_get::<String, _>("reactions")?),
        reply_to: match row.try_get::<Option<i64>, _>("reply_id")? {
            Some(id) => Some(ReplyTo {
                id,
                author: row.try_get::<Option<String>, _>("reply_author")?.unwrap_or_default(),
                body: quote(&row.try_get::<Option<String>, _>("reply_body")?.unwrap_or_default()),
                deleted: row.try_get::<Option<i64>, _>("reply_deleted_at")?.is_some(),
            }),
            None => None,
        },
        mentions: super::mentions::parse_mentions(&row.try_get::<String, _>("mentions")?),
    })
}

/// A page of history in ascending order: the newest `limit` messages, or
/// those before/after an id.
pub async fn messages_page(
    db: &Db,
    conversation_id: i64,
    before: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Message>, AppError> {
    // Every variant binds all four parameters so PostgreSQL can type them.
    let (sql, newest_first) = match (before, after) {
        (_, Some(_)) => (
            select_messages!(
                "WHERE m.conversation_id = $1 AND m.id > $2 AND ($3 = 0 OR m.id < $3) ORDER BY m.id ASC LIMIT $4"
            ),
            false,
        ),
        (Some(_), None) => (
            select_messages!("WHERE m.conversation_id = $1 AND $2 = 0 AND m.id < $3 ORDER BY m.id DESC LIMIT $4"),
            true,
        ),
        (None, None) => {
            (select_messages!("WHERE m.conversation_id = $1 AND $2 = 0 AND $3 = 0 ORDER BY m.id DESC LIMIT $4"), true)
        }
    };
    let rows = sqlx::query(sql)
        .bind(conversation_id)
        .bind(after.unwrap_or(0))
        .bind(before.unwrap_or(0))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut messages: Vec<Message> = rows.iter().map(message_from_row).collect::<Result<_, _>>()?;
    if newest_first {
        messages.reverse();
    }
    Ok(messages)
}

/// Messages with `from < seq < to`, ascending (to fill a gap a socket saw).
pub async fn messages_between_seq(db: &Db, conversation_id: i64, from: i64, to: i64) -> Result<Vec<Message>, AppError> {
    let rows =
        sqlx::query(select_messages!("WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq < $3 ORDER BY m.seq"))
            .bind(conversation_id)
            .bind(from)
            .bind(to)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.iter().map(message_from_row).collect::<Result<_, _>>()?)
}

/// The message an author already sent with this client id, if any.
pub async fn find_by_client_id<'c>(
    exec: impl Executor<'c, Database = Any>,
    author_id: i64,
    client_id: &str,
) -> Result<Option<Message>, AppError> {
    let row = sqlx::query(select_messages!("WHERE m.author_id = $1 AND m.client_id = $2"))
        .bind(author_id)
        .bind(client_id)
        .fetch_optional(exec)
        .await?;
    Ok(row.as_ref().map(message_from_row).transpose()?)
}

/// Moves a member's read pointer forward (never back), capped at the
/// conversation's newest message. Returns the new pointer if it moved.
pub async fn advance_read(
    db: &Db,
    conversation_id: i64,
    user_id: i64,
    message_id: i64,
) -> Result<Option<i64>, AppError> {
    let row = sqlx::query(
        "UPDATE members SET last_read_id = $1 \
         WHERE conversation_id = $2 AND user_id = $3 AND last_read_id < $1 \
           AND $1 <= (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $2) \
         RETURNING last_read_id",
    )
    .bind(message_id)
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("last_read_id")).transpose()?)
}

/// The seq of the newest message with `id <= message_id` (0 if none): where
/// a client that has seen `message_id` stands in the conversation.
pub async fn seq_at_or_before(db: &Db, conversation_id: i64, message_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM messages WHERE conversation_id = $1 AND id <= $2")
        .bind(conversation_id)
        .bind(message_id)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("seq")?)
}

/// Takes the conversation's next seq, locking its row (so seqs have no gaps
/// and ids commit in order); `None` if it does not exist.
pub async fn next_seq(tx: &mut WriteTx, conversation_id: i64, now: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query(
        "UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = $2 WHERE id = $1 RETURNING last_seq",
    )
    .bind(conversation_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("last_seq")).transpose()?)
}

/// Gives back the seq just taken (the message turned out to exist); the
/// caller still holds the conversation's row lock.
pub async fn release_seq(tx: &mut WriteTx, conversation_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE conversations SET last_seq = last_seq - 1 WHERE id = $1")
        .bind(conversation_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a message once per `(author, client_id)`; `None` if that pair
/// already has one.
pub async fn insert_message(tx: &mut WriteTx, new: &super::NewMessage<'_>) -> Result<Option<i64>, AppError> {
    let row = sqlx::query(
        "INSERT INTO messages (conversation_id, seq, author_id, client_id, body, created_at, streaming, reply_to_id, mentions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id",
    )
    .bind(new.conversation_id)
    .bind(new.seq)
    .bind(new.author_id)
    .bind(new.client_id)
    .bind(new.body)
    .bind(new.created_at)
    .bind(i64::from(new.streaming))
    .bind(new.reply_to)
    .bind(new.mentions)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}
