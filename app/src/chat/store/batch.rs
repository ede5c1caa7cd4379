//! SQL for storing many messages in one transaction (the writer's group
//! commit): which client ids exist already, a run of seqs per conversation,
//! and one multi-row insert.

use std::collections::HashSet;

use sqlx::{AssertSqlSafe, Row};

use crate::db::WriteTx;
use crate::db::placeholders;
use crate::error::AppError;

/// Pairs per statement: well inside both engines' parameter limits.
const CHUNK: usize = 200;

/// Which `(author, client_id)` pairs already have a message.
pub async fn existing_client_ids(tx: &mut WriteTx, pairs: &[(i64, &str)]) -> Result<HashSet<(i64, String)>, AppError> {
    let mut found = HashSet::new();
    for chunk in pairs.chunks(CHUNK) {
        let test: Vec<String> =
            (0..chunk.len()).map(|i| format!("(author_id = ${} AND client_id = ${})", 2 * i + 1, 2 * i + 2)).collect();
        // Only numbered placeholders went into the statement.
        let sql = format!("SELECT author_id, client_id FROM messages WHERE {}", test.join(" OR "));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (author, client_id) in chunk {
            query = query.bind(*author).bind(*client_id);
        }
        for row in query.fetch_all(&mut **tx).await? {
            found.insert((row.try_get("author_id")?, row.try_get("client_id")?));
        }
    }
    Ok(found)
}

/// Takes `count` seqs of a conversation at once (locking its row); returns
/// the first, or `None` if the conversation does not exist.
pub async fn reserve_seqs(
    tx: &mut WriteTx,
    conversation_id: i64,
    count: i64,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let row = sqlx::query(
        "UPDATE conversations SET last_seq = last_seq + $2, last_activity_at = $3 WHERE id = $1 RETURNING last_seq",
    )
    .bind(conversation_id)
    .bind(count)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get::<i64, _>("last_seq").map(|last| last - count + 1)).transpose()?)
}

/// A message row to insert.
pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub seq: i64,
    pub author_id: i64,
    pub client_id: &'a str,
    pub body: &'a str,
    pub created_at: i64,
    pub streaming: bool,
    /// The message this one answers (same conversation, checked before).
    pub reply_to: Option<i64>,
    /// Who it mentions, as stored (JSON, see `mentions_json`).
    pub mentions: &'a str,
}

/// Inserts the rows; returns `(author, client_id) → id` of those stored (a
/// pair stored meanwhile by another node is skipped, and missing here).
pub async fn insert_messages(tx: &mut WriteTx, rows: &[NewMessage<'_>]) -> Result<Vec<(i64, String, i64)>, AppError> {
    let mut stored = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 9 + 1, 9))).collect();
        // Only numbered placeholders went into the statement.
        let sql = format!(
            "INSERT INTO messages (conversation_id, seq, author_id, client_id, body, created_at, streaming, reply_to_id, mentions) \
             VALUES {} \
             ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id, author_id, client_id",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            query = query
                .bind(row.conversation_id)
                .bind(row.seq)
                .bind(row.author_id)
                .bind(row.client_id)
                .bind(row.body)
                .bind(row.created_at)
                .bind(i64::from(row.streaming))
                .bind(row.reply_to)
                .bind(row.mentions);
        }
        for row in query.fetch_all(&mut **tx).await? {
            stored.push((row.try_get("author_id")?, row.try_get("client_id")?, row.try_get("id")?));
        }
    }
    Ok(stored)
}
