//! Notifications for later: one-off or recurring rows with their next time.
//! Firing an occurrence moves `next_at` on only if it still holds the value
//! that was read, so two nodes (or a retry after a crash) fire it once.

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::db::Db;
use crate::error::AppError;
use crate::notify::model::{Priority, Schedule};

/// A schedule about to be stored.
#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    pub user_id: i64,
    pub actor_id: i64,
    pub token_id: Option<i64>,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub url: Option<&'a str>,
    pub priority: Priority,
    pub tag: Option<&'a str>,
    pub rrule: Option<&'a str>,
    pub timezone: &'a str,
    pub starts_at: i64,
    pub next_at: i64,
    pub now: i64,
}

/// A stored schedule, as the scheduler fires it.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: i64,
    pub user_id: i64,
    pub actor_id: Option<i64>,
    pub token_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub priority: Priority,
    pub tag: Option<String>,
    pub rrule: Option<String>,
    pub timezone: String,
    pub starts_at: i64,
    pub next_at: i64,
    pub recipient: String,
}

const COLUMNS: &str = "s.id, s.user_id, s.actor_id, s.token_id, s.kind, s.title, s.body, s.url, s.priority, s.tag, \
                       s.rrule, s.timezone, s.starts_at, s.next_at, u.username AS recipient";

fn from_row(r: &sqlx::any::AnyRow) -> Result<ScheduleRow, sqlx::Error> {
    Ok(ScheduleRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        actor_id: r.try_get("actor_id")?,
        token_id: r.try_get("token_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        url: r.try_get("url")?,
        priority: Priority::parse(&r.try_get::<String, _>("priority")?),
        tag: r.try_get("tag")?,
        rrule: r.try_get("rrule")?,
        timezone: r.try_get("timezone")?,
        starts_at: r.try_get("starts_at")?,
        next_at: r.try_get("next_at")?,
        recipient: r.try_get("recipient")?,
    })
}

impl ScheduleRow {
    pub fn public(&self) -> Schedule {
        Schedule {
            id: self.id,
            to: self.recipient.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            recurrence: self.rrule.clone(),
            timezone: self.timezone.clone(),
            next_at: self.next_at,
        }
    }
}

pub async fn insert_schedule<'c>(
    exec: impl Executor<'c, Database = Any>,
    s: &NewSchedule<'_>,
) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO notification_schedules (user_id, actor_id, token_id, kind, title, body, url, priority, tag, \
         rrule, timezone, starts_at, next_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(s.user_id)
    .bind(s.actor_id)
    .bind(s.token_id)
    .bind(s.kind)
    .bind(s.title)
    .bind(s.body)
    .bind(s.url)
    .bind(s.priority.as_str())
    .bind(s.tag)
    .bind(s.rrule)
    .bind(s.timezone)
    .bind(s.starts_at)
    .bind(s.next_at)
    .bind(s.now)
    .fetch_one(exec)
    .await?;
    Ok(row.try_get("id")?)
}

/// Schedules for `user_id` or made by them, soonest first.
pub async fn schedules_of(db: &Db, user_id: i64) -> Result<Vec<ScheduleRow>, AppError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_schedules s JOIN users u ON u.id = s.user_id \
         WHERE s.user_id = $1 OR s.actor_id = $1 ORDER BY s.next_at, s.id"
    )))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// How many schedules `actor_id` has made that are still waiting.
pub async fn count_schedules_by(db: &Db, actor_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM notification_schedules WHERE actor_id = $1")
        .bind(actor_id)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// Cancels one the user made or receives; false if there is none.
pub async fn delete_schedule(db: &Db, user_id: i64, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM notification_schedules WHERE id = $1 AND (user_id = $2 OR actor_id = $2)")
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Due schedules, oldest first.
pub async fn due_schedules(db: &Db, now: i64, limit: i64) -> Result<Vec<ScheduleRow>, AppError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_schedules s JOIN users u ON u.id = s.user_id \
         WHERE s.next_at <= $1 ORDER BY s.next_at, s.id LIMIT $2"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Moves a schedule past the occurrence at `fired` (to `next`, or away if
/// it has none left). False if that occurrence was already fired.
pub async fn advance_schedule<'c, E>(exec: &mut E, id: i64, fired: i64, next: Option<i64>) -> Result<bool, AppError>
where
    for<'e> &'e mut E: Executor<'e, Database = Any>,
{
    let done = match next {
        Some(next) => {
            sqlx::query("UPDATE notification_schedules SET next_at = $3 WHERE id = $1 AND next_at = $2")
                .bind(id)
                .bind(fired)
                .bind(next)
                .execute(&mut *exec)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM notification_schedules WHERE id = $1 AND next_at = $2")
                .bind(id)
                .bind(fired)
                .execute(&mut *exec)
                .await?
        }
    };
    Ok(done.rows_affected() == 1)
}
