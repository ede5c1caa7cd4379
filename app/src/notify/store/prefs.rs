//! Each person's notification preferences, and the pushes quiet hours hold.

use std::collections::HashMap;

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::db::{Db, placeholders};
use crate::error::AppError;
use crate::notify::model::{Preferences, PushPreview, QuietHoursSpec};

pub async fn preferences(db: &Db, user_id: i64) -> Result<Preferences, AppError> {
    let row = sqlx::query(
        "SELECT quiet_start, quiet_end, quiet_tz, push_preview, language FROM user_preferences WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(Preferences::default()) };
    let quiet = match (
        row.try_get::<Option<String>, _>("quiet_start")?,
        row.try_get::<Option<String>, _>("quiet_end")?,
        row.try_get::<Option<String>, _>("quiet_tz")?,
    ) {
        (Some(start), Some(end), Some(timezone)) => Some(QuietHoursSpec { start, end, timezone }),
        _ => None,
    };
    Ok(Preferences {
        quiet_hours: quiet,
        push_preview: PushPreview::parse(&row.try_get::<String, _>("push_preview")?),
        language: row.try_get("language")?,
    })
}

pub async fn save_preferences(db: &Db, user_id: i64, p: &Preferences) -> Result<(), AppError> {
    let quiet = p.quiet_hours.as_ref();
    sqlx::query(
        "INSERT INTO user_preferences (user_id, quiet_start, quiet_end, quiet_tz, push_preview, language) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET quiet_start = $2, quiet_end = $3, \
         quiet_tz = $4, push_preview = $5, language = $6",
    )
    .bind(user_id)
    .bind(quiet.map(|q| q.start.as_str()))
    .bind(quiet.map(|q| q.end.as_str()))
    .bind(quiet.map(|q| q.timezone.as_str()))
    .bind(p.push_preview.as_str())
    .bind(p.language.as_deref())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Remembers that `user_id` has held pushes to summarise at `until`
/// (the earliest such time wins).
pub async fn hold_until<'c>(exec: impl Executor<'c, Database = Any>, user_id: i64, until: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO user_preferences (user_id, held_until) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE \
         SET held_until = CASE WHEN user_preferences.held_until IS NULL OR user_preferences.held_until > $2 \
         THEN $2 ELSE user_preferences.held_until END",
    )
    .bind(user_id)
    .bind(until)
    .execute(exec)
    .await?;
    Ok(())
}

/// Users whose quiet hours have ended with pushes held, with that time.
pub async fn summaries_due(db: &Db, now: i64, limit: i64) -> Result<Vec<(i64, i64)>, AppError> {
    let rows = sqlx::query(
        "SELECT user_id, held_until FROM user_preferences WHERE held_until <= $1 ORDER BY held_until LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("held_until")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A held notification, grouped by what collapses it.
#[derive(Debug, Clone)]
pub struct HeldGroup {
    /// The newest of the group.
    pub latest_id: i64,
    pub count: i64,
    /// Its kind, for the delivered counter.
    pub kind: String,
}

/// Takes `user_id`'s held pushes for summarising: returns one group per tag
/// (untagged ones alone), or `None` if another node took them first.
pub async fn take_held<'c, E>(exec: &mut E, user_id: i64, until: i64) -> Result<Option<Vec<HeldGroup>>, AppError>
where
    for<'e> &'e mut E: Executor<'e, Database = Any>,
{
    let taken = sqlx::query("UPDATE user_preferences SET held_until = NULL WHERE user_id = $1 AND held_until = $2")
        .bind(user_id)
        .bind(until)
        .execute(&mut *exec)
        .await?;
    if taken.rows_affected() != 1 {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT MAX(id) AS latest_id, COUNT(*) AS n, MAX(kind) AS kind FROM notifications \
         WHERE user_id = $1 AND push_held = 1 AND read_at IS NULL GROUP BY COALESCE(tag, CAST(id AS TEXT))",
    )
    .bind(user_id)
    .fetch_all(&mut *exec)
    .await?;
    sqlx::query("UPDATE notifications SET push_held = 0 WHERE user_id = $1 AND push_held = 1")
        .bind(user_id)
        .execute(&mut *exec)
        .await?;
    let groups = rows
        .iter()
        .map(|r| Ok(HeldGroup { latest_id: r.try_get("latest_id")?, count: r.try_get("n")?, kind: r.try_get("kind")? }))
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(groups))
}

pub async fn held_until(db: &Db, user_id: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("SELECT held_until FROM user_preferences WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get("held_until")).transpose()?.flatten())
}

/// The quiet hours of those of `users` who set them (read on `conn`, so a
/// message's transaction can ask).
pub async fn quiet_hours_of(
    conn: &mut sqlx::AnyConnection,
    users: &[i64],
) -> Result<HashMap<i64, QuietHoursSpec>, AppError> {
    let mut found = HashMap::new();
    for chunk in users.chunks(500) {
        let sql = format!(
            "SELECT user_id, quiet_start, quiet_end, quiet_tz FROM user_preferences \
             WHERE quiet_start IS NOT NULL AND user_id IN ({})",
            placeholders(1, chunk.len())
        );
        // Only fixed text and numbered placeholders went into `sql`.
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for user in chunk {
            query = query.bind(*user);
        }
        for r in query.fetch_all(&mut *conn).await? {
            let spec = QuietHoursSpec {
                start: r.try_get("quiet_start")?,
                end: r.try_get("quiet_end")?,
                timezone: r.try_get("quiet_tz")?,
            };
            found.insert(r.try_get("user_id")?, spec);
        }
    }
    Ok(found)
}

/// Counts one more held message push for a conversation.
pub async fn hold_message_push(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    conversation_id: i64,
    message_id: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO held_pushes (user_id, conversation_id, last_message_id, count) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET count = held_pushes.count + 1, \
         last_message_id = CASE WHEN held_pushes.last_message_id > $3 THEN held_pushes.last_message_id ELSE $3 END",
    )
    .bind(user_id)
    .bind(conversation_id)
    .bind(message_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the held message pushes of `user_id`: (conversation, newest message, count).
pub async fn take_held_messages<'c, E>(exec: &mut E, user_id: i64) -> Result<Vec<(i64, i64, i64)>, AppError>
where
    for<'e> &'e mut E: Executor<'e, Database = Any>,
{
    let rows =
        sqlx::query("DELETE FROM held_pushes WHERE user_id = $1 RETURNING conversation_id, last_message_id, count")
            .bind(user_id)
            .fetch_all(&mut *exec)
            .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("conversation_id")?, r.try_get("last_message_id")?, r.try_get("count")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}
