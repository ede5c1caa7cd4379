//! SQL for what each device may be showing (`shown_pushes`): written when
//! the push service accepts a push, taken when it is read elsewhere.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::Recipient;
use crate::db::{Db, placeholders};
use crate::error::AppError;

/// The device was sent a push with this tag (a newer one replaces it).
pub async fn record_shown(db: &Db, subscription_id: i64, tag: &str, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO shown_pushes (subscription_id, tag, shown_at) VALUES ($1, $2, $3) \
         ON CONFLICT (subscription_id, tag) DO UPDATE SET shown_at = excluded.shown_at",
    )
    .bind(subscription_id)
    .bind(tag)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The user's devices that were shown any of `tags`, each with the tags it
/// was shown, except the device registered by the session `except` (it
/// read them itself); the rows are removed everywhere (each is dismissed
/// once). In the transaction that queues the dismissals.
pub async fn take_shown(
    conn: &mut AnyConnection,
    user_id: i64,
    tags: &[String],
    except: Option<i64>,
) -> Result<Vec<(Recipient, Vec<String>)>, AppError> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, tags.len());
    let sql = format!(
        "DELETE FROM shown_pushes WHERE tag IN ({list}) AND subscription_id IN \
         (SELECT id FROM push_subscriptions WHERE user_id = $1) RETURNING subscription_id, tag"
    );
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(user_id);
    for tag in tags {
        query = query.bind(tag);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut taken: Vec<(i64, String)> = Vec::with_capacity(rows.len());
    for row in &rows {
        taken.push((row.try_get("subscription_id")?, row.try_get("tag")?));
    }
    taken.sort();
    let mut devices: Vec<(Recipient, Vec<String>)> = Vec::new();
    let rows = sqlx::query(
        "SELECT id, user_id, origin FROM push_subscriptions \
         WHERE user_id = $1 AND (session_id IS NULL OR session_id <> $2) ORDER BY id",
    )
    .bind(user_id)
    .bind(except.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    for device in rows.iter().map(super::jobs::recipient) {
        let device = device?;
        let shown: Vec<String> =
            taken.iter().filter(|(id, _)| *id == device.subscription_id).map(|(_, tag)| tag.clone()).collect();
        if !shown.is_empty() {
            devices.push((device, shown));
        }
    }
    Ok(devices)
}
