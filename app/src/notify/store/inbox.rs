//! Inbox rows: stored first, then delivered; read, archived, counted.

use sqlx::{Any, AssertSqlSafe, Executor, Row};

use crate::db::{Db, placeholders};
use crate::error::AppError;
use crate::notify::model::{Notification, Priority};

/// A notification about to be stored.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub url: Option<&'a str>,
    pub priority: Priority,
    pub tag: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub token_id: Option<i64>,
    pub schedule_id: Option<i64>,
    pub late: bool,
    pub now: i64,
    pub push_held: bool,
}

const COLUMNS: &str = "n.id, n.kind, n.title, n.body, n.url, n.priority, n.tag, u.username AS actor, n.late, \
                       n.created_at, n.sent_at, n.read_at, n.archived_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Notification, sqlx::Error> {
    Ok(Notification {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        url: row.try_get("url")?,
        priority: Priority::parse(&row.try_get::<String, _>("priority")?),
        tag: row.try_get("tag")?,
        actor: row.try_get("actor")?,
        late: row.try_get::<i64, _>("late")? != 0,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
        read_at: row.try_get("read_at")?,
        archived_at: row.try_get("archived_at")?,
    })
}

pub async fn insert_notification<'c>(
    exec: impl Executor<'c, Database = Any>,
    n: &NewNotification<'_>,
) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, body, url, priority, tag, actor_id, token_id, schedule_id, \
         late, created_at, sent_at, push_held) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id",
    )
    .bind(n.user_id)
    .bind(n.kind)
    .bind(n.title)
    .bind(n.body)
    .bind(n.url)
    .bind(n.priority.as_str())
    .bind(n.tag)
    .bind(n.actor_id)
    .bind(n.token_id)
    .bind(n.schedule_id)
    .bind(i64::from(n.late))
    .bind(n.now)
    .bind(i64::from(n.push_held))
    .fetch_one(exec)
    .await?;
    Ok(row.try_get("id")?)
}

/// One of the user's notifications (archived ones too).
pub async fn notification(db: &Db, user_id: i64, id: i64) -> Result<Option<Notification>, AppError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id WHERE n.id = $1 AND n.user_id = $2"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery<'a> {
    pub unread_only: bool,
    pub kind: Option<&'a str>,
    /// Only ids below this (the previous page's last).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Newest first; archived ones are left out.
pub async fn inbox(db: &Db, user_id: i64, q: &InboxQuery<'_>) -> Result<Vec<Notification>, AppError> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id \
         WHERE n.user_id = $1 AND n.archived_at IS NULL AND n.id < $2"
    );
    if q.unread_only {
        sql.push_str(" AND n.read_at IS NULL");
    }
    if q.kind.is_some() {
        sql.push_str(" AND n.kind = $4");
    }
    sql.push_str(" ORDER BY n.id DESC LIMIT $3");
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(user_id).bind(q.before.unwrap_or(i64::MAX)).bind(q.limit);
    if let Some(kind) = q.kind {
        query = query.bind(kind);
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn unread_notifications(db: &Db, user_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL AND archived_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// Marks one read; false if the user has no such notification.
pub async fn mark_read(db: &Db, user_id: i64, id: i64, now: i64) -> Result<bool, AppError> {
    let exists = sqlx::query("SELECT id FROM notifications WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    sqlx::query("UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL")
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(true)
}

/// Marks every unread one (of `kind`, if given) read; returns their ids.
pub async fn mark_all_read(db: &Db, user_id: i64, kind: Option<&str>, now: i64) -> Result<Vec<i64>, AppError> {
    let mut sql = String::from(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL AND archived_at IS NULL",
    );
    if kind.is_some() {
        sql.push_str(" AND kind = $3");
    }
    sql.push_str(" RETURNING id");
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(user_id).bind(now);
    if let Some(kind) = kind {
        query = query.bind(kind);
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?)
}

/// Archives one (it leaves the inbox, and counts as read).
pub async fn archive(db: &Db, user_id: i64, id: i64, now: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE notifications SET archived_at = COALESCE(archived_at, $3), read_at = COALESCE(read_at, $3) \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the dedupe key for `(actor, key)`: `None` if this request is the
/// first in 24 h (the caller then records its answer with
/// [`record_dedupe`]), or the first request's answer. Concurrent requests
/// with one key wait on the key row, so only one of them creates anything.
pub async fn claim_dedupe<'c, E>(exec: &mut E, actor_id: i64, key: &str, now: i64) -> Result<Option<String>, AppError>
where
    for<'e> &'e mut E: Executor<'e, Database = Any>,
{
    let window = now - 24 * 3600 * 1000;
    let claimed = sqlx::query(
        "INSERT INTO notification_dedupe (actor_id, dedupe_key, created_at, response) VALUES ($1, $2, $3, '') \
         ON CONFLICT (actor_id, dedupe_key) DO UPDATE SET created_at = $3, response = '' \
         WHERE notification_dedupe.created_at <= $4 RETURNING actor_id",
    )
    .bind(actor_id)
    .bind(key)
    .bind(now)
    .bind(window)
    .fetch_optional(&mut *exec)
    .await?;
    if claimed.is_some() {
        return Ok(None);
    }
    let row = sqlx::query("SELECT response FROM notification_dedupe WHERE actor_id = $1 AND dedupe_key = $2")
        .bind(actor_id)
        .bind(key)
        .fetch_one(&mut *exec)
        .await?;
    Ok(Some(row.try_get("response")?))
}

pub async fn record_dedupe<'c>(
    exec: impl Executor<'c, Database = Any>,
    actor_id: i64,
    key: &str,
    response: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE notification_dedupe SET response = $3 WHERE actor_id = $1 AND dedupe_key = $2")
        .bind(actor_id)
        .bind(key)
        .bind(response)
        .execute(exec)
        .await?;
    Ok(())
}

/// Kind and collapse key (push tag) of some of the user's notifications.
pub async fn kinds_and_tags(
    db: &Db,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String, Option<i64>)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT n.id, n.kind, (SELECT MIN(t.id) FROM notifications t WHERE t.user_id = n.user_id AND t.tag = n.tag) AS anchor \
         FROM notifications n WHERE n.user_id = $1 AND n.id IN ({})",
        placeholders(2, ids.len())
    );
    // Only fixed text and numbered placeholders went into `sql`.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(user_id);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("kind")?, r.try_get("anchor")?))).collect()
}

/// The first of this person's notifications with `tag`: what stands for
/// the tag outside the server (see `push::payload::notification_tag`).
pub async fn tag_anchor(db: &Db, user_id: i64, tag: &str) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("SELECT MIN(id) AS anchor FROM notifications WHERE user_id = $1 AND tag = $2")
        .bind(user_id)
        .bind(tag)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("anchor")?)
}
