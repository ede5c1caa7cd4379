//! SQL for mentions: resolving `@names` to members, the rows behind "my
//! unread mentions", and clearing them with a message's text.

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::chat::mention::Mention;
use crate::db::{WriteTx, placeholders};
use crate::error::AppError;

/// The members of a conversation with these (lowercase) usernames.
pub async fn members_named<'c>(
    exec: impl Executor<'c, Database = Any>,
    conversation_id: i64,
    names: &[String],
) -> Result<Vec<Mention>, AppError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.id, u.username FROM members mb JOIN users u ON u.id = mb.user_id \
         WHERE mb.conversation_id = $1 AND u.username IN ({}) ORDER BY u.username",
        placeholders(2, names.len())
    );
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(conversation_id);
    for name in names {
        query = query.bind(name.as_str());
    }
    let rows = query.fetch_all(exec).await?;
    rows.iter()
        .map(|r| Ok(Mention { user_id: r.try_get("id")?, username: r.try_get("username")? }))
        .collect()
}

/// The stored form of a message's mentions.
pub fn mentions_json(mentions: &[Mention]) -> String {
    serde_json::to_string(mentions).unwrap_or_else(|_| "[]".to_owned())
}

pub(super) fn parse_mentions(json: &str) -> Vec<Mention> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Records who a stored message mentions (its author aside), in one statement.
pub async fn insert_mentions(
    tx: &mut WriteTx,
    message_id: i64,
    conversation_id: i64,
    author_id: i64,
    mentions: &[Mention],
) -> Result<(), AppError> {
    let users: Vec<i64> = mentions.iter().map(|m| m.user_id).filter(|u| *u != author_id).collect();
    if users.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..users.len()).map(|i| format!("(${}, $1, $2)", i + 3)).collect();
    let sql = format!(
        "INSERT INTO mentions (user_id, conversation_id, message_id) VALUES {} \
         ON CONFLICT (user_id, conversation_id, message_id) DO NOTHING",
        values.join(", ")
    );
    // Only numbered placeholders went into `sql`; at most `MAX_MENTIONS` rows.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(conversation_id).bind(message_id);
    for user in users {
        query = query.bind(user);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Replaces a message's mentions (an edit, a finished stream), in its transaction.
pub async fn replace_mentions(
    tx: &mut WriteTx,
    message_id: i64,
    conversation_id: i64,
    author_id: i64,
    mentions: &[Mention],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM mentions WHERE message_id = $1").bind(message_id).execute(&mut **tx).await?;
    sqlx::query("UPDATE messages SET mentions = $2 WHERE id = $1")
        .bind(message_id)
        .bind(mentions_json(mentions))
        .execute(&mut **tx)
        .await?;
    insert_mentions(tx, message_id, conversation_id, author_id, mentions).await
}

/// Forgets who a message mentioned (it was deleted).
pub async fn clear_mentions(tx: &mut WriteTx, message_id: i64) -> Result<(), AppError> {
    replace_mentions(tx, message_id, 0, 0, &[]).await
}
