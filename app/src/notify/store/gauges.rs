//! Counts for the notification centre's gauges: scheduled rows, pushes
//! held for quiet hours, and the push opt-in rate.

use sqlx::Row;

use crate::db::Db;
use crate::error::AppError;

/// What the gauges show, read in one go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    pub schedules: i64,
    /// Pushes waiting for quiet hours to end: a conversation's held
    /// messages count once (they go out as one summary), an inbox item each.
    pub held_pushes: i64,
    /// Active people with at least one subscribed device.
    pub with_devices: i64,
    /// People signed in on some device within the window.
    pub active: i64,
}

pub async fn gauges(db: &Db, active_since: i64) -> Result<Gauges, AppError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM notification_schedules) AS schedules, \
                (SELECT COUNT(*) FROM held_pushes) \
                  + (SELECT COUNT(*) FROM notifications WHERE push_held = 1 AND read_at IS NULL) AS held, \
                (SELECT COUNT(DISTINCT s.user_id) FROM push_subscriptions s WHERE s.user_id IN ( \
                  SELECT user_id FROM auth_tokens WHERE kind = 'session' AND COALESCE(last_used_at, created_at) >= $1)) \
                  AS with_devices, \
                (SELECT COUNT(DISTINCT user_id) FROM auth_tokens \
                  WHERE kind = 'session' AND COALESCE(last_used_at, created_at) >= $1) AS active",
    )
    .bind(active_since)
    .fetch_one(db.pool())
    .await?;
    Ok(Gauges {
        schedules: row.try_get("schedules")?,
        held_pushes: row.try_get("held")?,
        with_devices: row.try_get("with_devices")?,
        active: row.try_get("active")?,
    })
}
