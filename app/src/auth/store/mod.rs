//! SQL for accounts, sessions and personal access tokens (server only).

mod sessions;

pub use sessions::{delete_other_sessions, delete_session, live_tokens, sessions, set_password_hash};

use sqlx::Row;

use super::model::{TokenInfo, User};
use super::scope::{self, Scope};
use super::session::hash_secret;
use crate::db::{Db, now_ms};
use crate::error::{AppError, is_unique_violation};

/// Stores a new account; 409 `username_taken` when the name is taken.
pub async fn insert_user(db: &Db, username: &str, password_hash: &str) -> Result<User, AppError> {
    let row = sqlx::query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(username)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(db.pool())
        .await
        .map_err(|e| {
            if is_unique_violation(&e, "users_username_key") {
                AppError::conflict("username_taken", format!("the username {username:?} is taken"))
            } else {
                AppError::from(e)
            }
        })?;
    Ok(User::person(row.try_get("id")?, username))
}

/// A user and their password hash, by name.
pub async fn user_with_hash(db: &Db, username: &str) -> Result<Option<(User, String)>, AppError> {
    // A bot has no password: it is not found here, so signing in as one
    // fails like a wrong password.
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1 AND is_bot = 0")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| Ok((User::person(row.try_get("id")?, username), row.try_get("password_hash")?))).transpose()
}

pub async fn find_user(db: &Db, username: &str) -> Result<Option<User>, AppError> {
    let row = sqlx::query("SELECT id, username, is_bot FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| user_from_row(&r, "id", "username", "is_bot")).transpose()?)
}

/// A user from a row's columns (`is_bot` is 0 or 1 in both engines).
pub fn user_from_row(row: &sqlx::any::AnyRow, id: &str, username: &str, is_bot: &str) -> Result<User, sqlx::Error> {
    Ok(User { id: row.try_get(id)?, username: row.try_get(username)?, is_bot: row.try_get::<i64, _>(is_bot)? != 0 })
}

/// A token row as authentication needs it.
pub struct TokenRow {
    pub id: i64,
    pub user: User,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// `None` for a session (a person signed in).
    pub scopes: Option<Vec<Scope>>,
}

pub async fn token_by_secret(db: &Db, secret: &str) -> Result<Option<TokenRow>, AppError> {
    let row = sqlx::query(
        "SELECT t.id, t.user_id, t.last_used_at, t.expires_at, t.kind, t.scopes, u.username, u.is_bot \
         FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(hash_secret(secret))
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(TokenRow {
            id: row.try_get("id")?,
            user: user_from_row(&row, "user_id", "username", "is_bot")?,
            last_used_at: row.try_get("last_used_at")?,
            expires_at: row.try_get("expires_at")?,
            scopes: match row.try_get::<String, _>("kind")?.as_str() {
                "session" => None,
                _ => Some(scope::split(&row.try_get::<Option<String>, _>("scopes")?.unwrap_or_default())),
            },
        })
    })
    .transpose()
}

/// Records a use; a session's end moves to `expires_at`, a personal token
/// (no expiry) stays without one.
pub async fn touch_token(db: &Db, token_id: i64, now: i64, expires_at: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE auth_tokens SET last_used_at = $1, \
         expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE $2 END WHERE id = $3",
    )
    .bind(now)
    .bind(expires_at)
    .bind(token_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What a new token is.
pub enum NewToken<'a> {
    /// A signed-in browser or client, on the device it named.
    Session { device: Option<&'a str>, expires_at: i64 },
    /// A named personal access token with its scopes.
    Personal { name: &'a str, scopes: &'a [Scope] },
}

/// Stores the hash of a new secret (in the caller's transaction, or on
/// `db.pool()`); returns the token's id.
pub async fn insert_token<'c>(
    exec: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    secret: &str,
    token: NewToken<'_>,
) -> Result<i64, AppError> {
    let (kind, name, scopes, device, expires_at) = match token {
        NewToken::Session { device, expires_at } => ("session", None, None, device, Some(expires_at)),
        NewToken::Personal { name, scopes } => ("personal", Some(name), Some(scope::join(scopes)), None, None),
    };
    let row = sqlx::query(
        "INSERT INTO auth_tokens (user_id, token_hash, kind, name, created_at, expires_at, scopes, device) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(user_id)
    .bind(hash_secret(secret))
    .bind(kind)
    .bind(name)
    .bind(now_ms())
    .bind(expires_at)
    .bind(scopes)
    .bind(device)
    .fetch_one(exec)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn delete_token(db: &Db, token_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_tokens WHERE id = $1").bind(token_id).execute(db.pool()).await?;
    Ok(())
}

pub async fn personal_tokens(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at, scopes FROM auth_tokens \
         WHERE user_id = $1 AND kind = 'personal' ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TokenInfo {
                id: row.try_get("id")?,
                name: row.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
                scopes: scope::split(&row.try_get::<Option<String>, _>("scopes")?.unwrap_or_default()),
            })
        })
        .collect()
}

/// Deletes one of the user's personal tokens; false if it is not theirs.
pub async fn delete_personal_token(db: &Db, user_id: i64, token_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE id = $1 AND user_id = $2 AND kind = 'personal'")
        .bind(token_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_expired_sessions(db: &Db, now: i64) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
