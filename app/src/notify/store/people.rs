//! Who a notification may go to.

use sqlx::{AssertSqlSafe, Row};

use crate::auth::User;
use crate::auth::store::user_from_row;
use crate::db::{Db, placeholders};
use crate::error::AppError;

/// The users with these names (unknown names are left out).
pub async fn users_named(db: &Db, names: &[String]) -> Result<Vec<User>, AppError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT id, username, is_bot FROM users WHERE username IN ({})", placeholders(1, names.len()));
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for name in names {
        query = query.bind(name);
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(|r| Ok(user_from_row(r, "id", "username", "is_bot")?)).collect::<Result<_, sqlx::Error>>()?)
}

/// Whether two people are in a conversation together.
pub async fn share_a_conversation(db: &Db, a: i64, b: i64) -> Result<bool, AppError> {
    let row = sqlx::query(
        "SELECT 1 AS shared FROM members x JOIN members y ON x.conversation_id = y.conversation_id \
         WHERE x.user_id = $1 AND y.user_id = $2 LIMIT 1",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

pub async fn username_of(db: &Db, user_id: i64) -> Result<Option<String>, AppError> {
    let row = sqlx::query("SELECT username FROM users WHERE id = $1").bind(user_id).fetch_optional(db.pool()).await?;
    Ok(row.map(|r| r.try_get("username")).transpose()?)
}
