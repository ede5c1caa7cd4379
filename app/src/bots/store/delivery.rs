//! SQL for webhook deliveries: which bots hear of a conversation, where
//! to send, and whether a bot keeps failing.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use crate::bots::model::{EventType, split_events};
use crate::bots::webhook::EventConversation;
use crate::chat::model::ConversationKind;
use crate::db::{Db, placeholders};
use crate::error::AppError;

/// What a webhook delivery needs of its bot.
pub struct WebhookTarget {
    pub owner_id: i64,
    pub username: String,
    pub webhook_url: Option<String>,
    pub signing_secret: String,
    pub disabled: bool,
}

pub async fn webhook_target(db: &Db, bot_id: i64) -> Result<Option<WebhookTarget>, AppError> {
    let row = sqlx::query(
        "SELECT b.owner_id, u.username, b.webhook_url, b.signing_secret, b.disabled \
         FROM bots b JOIN users u ON u.id = b.user_id WHERE b.user_id = $1",
    )
    .bind(bot_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(WebhookTarget {
            owner_id: row.try_get("owner_id")?,
            username: row.try_get("username")?,
            webhook_url: row.try_get("webhook_url")?,
            signing_secret: row.try_get("signing_secret")?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
        })
    })
    .transpose()
}

/// A delivery worked: the bot is not failing.
pub async fn delivered(db: &Db, bot_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE bots SET failing_since = NULL WHERE user_id = $1 AND failing_since IS NOT NULL")
        .bind(bot_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A delivery failed at `now`: returns since when the bot has been failing.
pub async fn failed(db: &Db, bot_id: i64, now: i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "UPDATE bots SET failing_since = COALESCE(failing_since, $1) WHERE user_id = $2 RETURNING failing_since",
    )
    .bind(now)
    .bind(bot_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("failing_since")).transpose()?.unwrap_or(now))
}

/// Disables a bot; true if it was enabled (so its owner is told once).
pub async fn disable(db: &Db, bot_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE bots SET disabled = 1 WHERE user_id = $1 AND disabled = 0")
        .bind(bot_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A bot with a webhook, as a member of a conversation.
#[derive(Debug, Clone)]
pub struct ListeningBot {
    pub conversation_id: i64,
    pub bot_id: i64,
    pub username: String,
    pub webhook_url: String,
    pub events: Vec<EventType>,
}

/// The enabled bots with a webhook among the members of these conversations.
pub async fn listening_in(
    conn: &mut sqlx::AnyConnection,
    conversation_ids: &[i64],
) -> Result<Vec<ListeningBot>, AppError> {
    if conversation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT m.conversation_id, b.user_id, u.username, b.webhook_url, b.events \
         FROM members m JOIN bots b ON b.user_id = m.user_id JOIN users u ON u.id = b.user_id \
         WHERE m.conversation_id IN ({}) AND b.webhook_url IS NOT NULL AND b.disabled = 0",
        placeholders(1, conversation_ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in conversation_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(ListeningBot {
                conversation_id: row.try_get("conversation_id")?,
                bot_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                webhook_url: row.try_get("webhook_url")?,
                events: split_events(&row.try_get::<String, _>("events")?),
            })
        })
        .collect()
}

/// Of these users, the enabled bots with a webhook (a bot just removed
/// from a conversation still hears that it was).
pub async fn listening_among(db: &Db, user_ids: &[i64], conversation_id: i64) -> Result<Vec<ListeningBot>, AppError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT b.user_id, u.username, b.webhook_url, b.events FROM bots b JOIN users u ON u.id = b.user_id \
         WHERE b.user_id IN ({}) AND b.webhook_url IS NOT NULL AND b.disabled = 0",
        placeholders(1, user_ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in user_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(ListeningBot {
                conversation_id,
                bot_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                webhook_url: row.try_get("webhook_url")?,
                events: split_events(&row.try_get::<String, _>("events")?),
            })
        })
        .collect()
}

/// What an event says about each of these conversations.
pub async fn conversations(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, EventConversation>, AppError> {
    let sql = format!("SELECT id, kind, title FROM conversations WHERE id IN ({})", placeholders(1, ids.len()));
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let kind = match row.try_get::<String, _>("kind")?.as_str() {
                "group" => ConversationKind::Group,
                _ => ConversationKind::Direct,
            };
            Ok((id, EventConversation { id, kind, title: row.try_get("title")? }))
        })
        .collect()
}
