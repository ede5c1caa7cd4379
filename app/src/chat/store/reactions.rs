//! SQL for reactions: the rows, and the summary kept on the message.

use sqlx::Row;

use crate::chat::model::Reaction;
use crate::db::WriteTx;
use crate::error::AppError;

/// Adds or removes `user`'s `emoji` on a message; true if that changed anything.
pub async fn toggle_reaction(
    tx: &mut WriteTx,
    message_id: i64,
    user_id: i64,
    emoji: &str,
    on: bool,
    now: i64,
) -> Result<bool, AppError> {
    let done = if on {
        sqlx::query(
            "INSERT INTO reactions (message_id, emoji, user_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (message_id, emoji, user_id) DO NOTHING",
        )
        .bind(message_id)
        .bind(emoji)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
    } else {
        sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3")
            .bind(message_id)
            .bind(emoji)
            .bind(user_id)
            .execute(&mut **tx)
            .await?
    };
    Ok(done.rows_affected() > 0)
}

/// The distinct emojis on a message.
pub async fn reaction_kinds(tx: &mut WriteTx, message_id: i64) -> Result<Vec<String>, AppError> {
    let rows = sqlx::query("SELECT DISTINCT emoji FROM reactions WHERE message_id = $1")
        .bind(message_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.iter().map(|r| r.try_get("emoji")).collect::<Result<_, _>>()?)
}

/// Rebuilds the message's summary from its rows, stores it with the
/// change number `rev`, and returns it.
pub async fn store_reaction_summary(tx: &mut WriteTx, message_id: i64, rev: i64) -> Result<Vec<Reaction>, AppError> {
    let rows = sqlx::query(
        "SELECT r.emoji, u.username FROM reactions r JOIN users u ON u.id = r.user_id \
         WHERE r.message_id = $1 ORDER BY r.created_at, r.user_id",
    )
    .bind(message_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut summary: Vec<Reaction> = Vec::new();
    for row in &rows {
        let (emoji, username): (String, String) = (row.try_get("emoji")?, row.try_get("username")?);
        match summary.iter_mut().find(|r| r.emoji == emoji) {
            Some(reaction) => {
                reaction.count += 1;
                reaction.users.push(username);
            }
            None => summary.push(Reaction { emoji, count: 1, users: vec![username] }),
        }
    }
    let json = serde_json::to_string(&summary).map_err(crate::error::internal)?;
    sqlx::query("UPDATE messages SET reactions = $2, rev = $3 WHERE id = $1")
        .bind(message_id)
        .bind(json)
        .bind(rev)
        .execute(&mut **tx)
        .await?;
    Ok(summary)
}

/// A deleted message keeps no reactions.
pub async fn clear_reactions(tx: &mut WriteTx, message_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM reactions WHERE message_id = $1").bind(message_id).execute(&mut **tx).await?;
    Ok(())
}

/// The summary column as stored.
pub(super) fn parse_summary(json: &str) -> Vec<Reaction> {
    // Derived from the rows: a bad summary is shown as none, and rebuilt by the next toggle.
    serde_json::from_str(json).unwrap_or_else(|err| {
        tracing::warn!(error = %err, "unreadable reaction summary");
        Vec::new()
    })
}
