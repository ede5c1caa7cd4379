//! SQL for bots (server only): the account, its settings and its token;
//! what webhook deliveries need is in `delivery`.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

mod delivery;
mod hooks;

pub use delivery::*;
pub use hooks::*;

use super::model::{Bot, EventType, join_events, split_events};
use crate::auth::scope::Scope;
use crate::auth::store::{NewToken, insert_token};
use crate::db::{Db, now_ms};
use crate::error::{AppError, is_unique_violation};

/// What a bot's API token may do.
pub const BOT_SCOPES: [Scope; 3] = [Scope::MessagesRead, Scope::MessagesWrite, Scope::Notify];

const COLUMNS: &str = "b.user_id, u.username, b.display_name, b.webhook_url, b.events, b.public, b.signing_secret, \
     b.failing_since, b.disabled, b.owner_id, b.created_at";

fn bot_from_row(row: &AnyRow) -> Result<Bot, sqlx::Error> {
    Ok(Bot {
        id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        webhook_url: row.try_get("webhook_url")?,
        events: split_events(&row.try_get::<String, _>("events")?),
        public: row.try_get::<i64, _>("public")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        failing_since: row.try_get("failing_since")?,
        owner_id: row.try_get("owner_id")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A bot to store, with its secrets.
pub struct NewBotRow<'a> {
    pub owner_id: i64,
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub webhook_url: Option<&'a str>,
    pub events: &'a [EventType],
    pub public: bool,
    pub signing_secret: &'a str,
    pub token: &'a str,
}

/// Stores the bot's account, settings and token together; 409
/// `username_taken` when the name is taken (by a person or a bot).
pub async fn insert(db: &Db, new: &NewBotRow<'_>) -> Result<Bot, AppError> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // No password: `password_hash` is empty, which no password matches, and
    // sign-in does not even look at bots.
    let row = sqlx::query(
        "INSERT INTO users (username, password_hash, created_at, is_bot) VALUES ($1, '', $2, 1) RETURNING id",
    )
    .bind(new.username)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "users_username_key") {
            AppError::conflict("username_taken", format!("the username {:?} is taken", new.username))
        } else {
            AppError::from(e)
        }
    })?;
    let id: i64 = row.try_get("id")?;
    sqlx::query(
        "INSERT INTO bots (user_id, owner_id, display_name, webhook_url, events, public, signing_secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(new.owner_id)
    .bind(new.display_name)
    .bind(new.webhook_url)
    .bind(join_events(new.events))
    .bind(i64::from(new.public))
    .bind(new.signing_secret)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_token(&mut *tx, id, new.token, NewToken::Personal { name: "bot", scopes: &BOT_SCOPES }).await?;
    tx.commit().await?;
    Ok(Bot {
        id,
        username: new.username.to_owned(),
        display_name: new.display_name.map(str::to_owned),
        webhook_url: new.webhook_url.map(str::to_owned),
        events: new.events.to_vec(),
        public: new.public,
        disabled: false,
        failing_since: None,
        owner_id: new.owner_id,
        created_at: now,
    })
}

/// The owner's bots, oldest first.
pub async fn owned_by(db: &Db, owner_id: i64) -> Result<Vec<Bot>, AppError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM bots b JOIN users u ON u.id = b.user_id WHERE b.owner_id = $1 ORDER BY b.user_id"
    )))
    .bind(owner_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(bot_from_row).collect::<Result<_, _>>()?)
}

/// One bot, if `owner_id` owns it.
pub async fn owned(db: &Db, owner_id: i64, bot_id: i64) -> Result<Option<Bot>, AppError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM bots b JOIN users u ON u.id = b.user_id WHERE b.user_id = $1 AND b.owner_id = $2"
    )))
    .bind(bot_id)
    .bind(owner_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(bot_from_row).transpose()?)
}

/// Writes a bot's settings as they now are (`failing_since` cleared when
/// it is turned back on).
pub async fn update(db: &Db, bot: &Bot) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE bots SET display_name = $1, webhook_url = $2, events = $3, public = $4, disabled = $5, \
         failing_since = CASE WHEN $5 = 0 AND disabled = 1 THEN NULL ELSE failing_since END WHERE user_id = $6",
    )
    .bind(bot.display_name.as_deref())
    .bind(bot.webhook_url.as_deref())
    .bind(join_events(&bot.events))
    .bind(i64::from(bot.public))
    .bind(i64::from(bot.disabled))
    .bind(bot.id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes the bot's account: its settings, tokens, memberships and
/// messages go with it.
pub async fn delete(db: &Db, bot_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM users WHERE id = $1 AND is_bot = 1").bind(bot_id).execute(db.pool()).await?;
    Ok(())
}

/// Replaces the bot's API token with one for `secret`.
pub async fn replace_token(db: &Db, bot_id: i64, secret: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1").bind(bot_id).execute(&mut *tx).await?;
    insert_token(&mut *tx, bot_id, secret, NewToken::Personal { name: "bot", scopes: &BOT_SCOPES }).await?;
    tx.commit().await?;
    Ok(())
}
