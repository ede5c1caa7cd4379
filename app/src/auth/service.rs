//! Account storage and credential checks (server only).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use serde::Serialize;
use sqlx::Row;

use super::model::{User, validate_password, validate_username};
use super::session::{hash_secret, new_secret, secret_from_headers};
use crate::db::{Db, now_ms};
use crate::error::{AppError, internal, is_unique_violation};

/// A session ends after this long unused; each use (recorded at most
/// hourly) moves its end forward, so people who keep using Tidings stay in.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// The session cookie outlives any idle period (the server decides when a
/// session has ended); 400 days is the longest browsers keep a cookie.
pub const SESSION_COOKIE_MAX_AGE_S: i64 = 400 * 24 * 3600;
/// `last_used_at` is refreshed at most this often, to keep reads read-only.
const TOUCH_EVERY_MS: i64 = 3600 * 1000;

/// What a valid bearer secret resolves to.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub token_id: i64,
}

/// A personal access token as listed to its owner (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Creates an account. 422 on bad input, 409 when the name is taken.
pub async fn register(db: &Db, username: &str, password: &str) -> Result<User, AppError> {
    validate_username(username)?;
    validate_password(password)?;
    let hash = hash_password(password.to_owned()).await?;
    let row = sqlx::query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(username)
        .bind(hash)
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
    Ok(User { id: row.try_get("id")?, username: username.to_owned() })
}

/// Checks a username and password; on success opens a session and returns its secret.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<(User, String), AppError> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    let (user, stored) = match row {
        Some(row) => {
            let user = User { id: row.try_get("id")?, username: username.to_owned() };
            (Some(user), row.try_get::<String, _>("password_hash")?)
        }
        // Verify against a throwaway hash anyway, so response time does not
        // reveal which usernames exist.
        None => (None, dummy_hash().to_owned()),
    };
    let ok = verify_password(password.to_owned(), stored).await?;
    let user = match (user, ok) {
        (Some(user), true) => user,
        _ => return Err(AppError::BadCredentials),
    };
    let (_, secret) = insert_token(db, user.id, "session", None, Some(now_ms() + SESSION_TTL_MS)).await?;
    Ok((user, secret))
}

/// Resolves a bearer secret (cookie or `Authorization` header) to its user.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Session, AppError> {
    let now = now_ms();
    let row = sqlx::query(
        "SELECT t.id, t.user_id, t.last_used_at, t.expires_at, u.username \
         FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(hash_secret(secret))
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::Unauthenticated)?;
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    if expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::Unauthenticated);
    }
    let token_id: i64 = row.try_get("id")?;
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if last_used.is_none_or(|at| now - at > TOUCH_EVERY_MS) {
        // Sessions slide; personal tokens (no expiry) stay without one.
        sqlx::query(
            "UPDATE auth_tokens SET last_used_at = $1, \
             expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE $2 END WHERE id = $3",
        )
        .bind(now)
        .bind(now + SESSION_TTL_MS)
        .bind(token_id)
        .execute(db.pool())
        .await?;
    }
    let user = User { id: row.try_get("user_id")?, username: row.try_get("username")? };
    Ok(Session { user, token_id })
}

/// The session of a request (bearer header or cookie), or `Unauthenticated`.
pub async fn authenticate_headers(db: &Db, headers: &axum::http::HeaderMap) -> Result<Session, AppError> {
    let secret = secret_from_headers(headers).ok_or(AppError::Unauthenticated)?;
    authenticate(db, &secret).await
}

/// Revokes one session or token.
pub async fn revoke(db: &Db, token_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_tokens WHERE id = $1").bind(token_id).execute(db.pool()).await?;
    Ok(())
}

/// Issues a named, non-expiring personal access token for API clients and bots.
pub async fn create_personal_token(db: &Db, user_id: i64, name: &str) -> Result<(TokenInfo, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::invalid("invalid_token_name", "a token name has 1–64 characters"));
    }
    let created_at = now_ms();
    let (id, secret) = insert_token(db, user_id, "personal", Some(name), None).await?;
    Ok((TokenInfo { id, name: name.to_owned(), created_at, last_used_at: None }, secret))
}

/// The caller's personal access tokens.
pub async fn list_personal_tokens(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at FROM auth_tokens \
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
            })
        })
        .collect()
}

/// Revokes one of the caller's personal tokens; 404 if it is not theirs.
pub async fn revoke_personal_token(db: &Db, user_id: i64, token_id: i64) -> Result<(), AppError> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE id = $1 AND user_id = $2 AND kind = 'personal'")
        .bind(token_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("token".into()));
    }
    Ok(())
}

/// Looks users up by name; used to turn usernames into member ids.
pub async fn find_user(db: &Db, username: &str) -> Result<Option<User>, AppError> {
    let row = sqlx::query("SELECT id, username FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok(User { id: r.try_get("id")?, username: r.try_get("username")? })).transpose()
}

/// Deletes expired sessions; run periodically by the server.
pub async fn prune_expired_sessions(db: &Db) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1")
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

async fn insert_token(
    db: &Db,
    user_id: i64,
    kind: &str,
    name: Option<&str>,
    expires_at: Option<i64>,
) -> Result<(i64, String), AppError> {
    let secret = new_secret()?;
    let row = sqlx::query(
        "INSERT INTO auth_tokens (user_id, token_hash, kind, name, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(hash_secret(&secret))
    .bind(kind)
    .bind(name)
    .bind(now_ms())
    .bind(expires_at)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("id")?, secret))
}

/// Hashes at once: each takes ~19 MiB and a core for tens of milliseconds,
/// so a burst of sign-ins from many addresses queues instead of exhausting
/// memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// argon2id with the crate's default (OWASP-recommended) parameters, off the
/// async workers because it deliberately burns CPU and memory.
async fn hash_password(password: String) -> Result<String, AppError> {
    let _permit = HASHING.acquire().await.map_err(internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

async fn verify_password(password: String, stored: String) -> Result<bool, AppError> {
    let _permit = HASHING.acquire().await.map_err(internal)?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(internal)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(internal)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"not-a-real-password", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}
