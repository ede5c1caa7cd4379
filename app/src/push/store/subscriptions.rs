//! SQL for push subscriptions: the devices a user has registered.

use sqlx::Row;

use crate::db::{Db, now_ms};
use crate::error::AppError;
use crate::push::model::Device;

use crate::push::deliver::target;
use crate::queue::store::drop_target;

/// Stores a subscription for the session that registered it, or moves an
/// existing endpoint to this user and session with the new keys. An
/// endpoint that changes hands loses the previous owner's pending pushes:
/// they were for someone else. Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn upsert_subscription(
    db: &Db,
    user_id: i64,
    session_id: i64,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    label: Option<&str>,
    expiration_time: Option<i64>,
) -> Result<i64, AppError> {
    let origin = url::Url::parse(endpoint).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    let mut tx = db.begin_write().await?;
    let previous = sqlx::query("SELECT id, user_id FROM push_subscriptions WHERE endpoint = $1")
        .bind(endpoint)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = previous
        && row.try_get::<i64, _>("user_id")? != user_id
    {
        drop_target(&mut *tx, &target(row.try_get("id")?)).await?;
    }
    let row = sqlx::query(
        "INSERT INTO push_subscriptions \
           (user_id, endpoint, p256dh, auth, label, expiration_time, created_at, origin, session_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, \
           auth = excluded.auth, label = COALESCE(excluded.label, push_subscriptions.label), \
           expiration_time = excluded.expiration_time, origin = excluded.origin, session_id = excluded.session_id \
         RETURNING id",
    )
    .bind(user_id)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .bind(label)
    .bind(expiration_time)
    .bind(now_ms())
    .bind(origin)
    .bind(session_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.try_get("id")?)
}

/// The user's subscription count, not counting `endpoint` (an upsert of it
/// does not add one).
pub async fn count_other_subscriptions(db: &Db, user_id: i64, endpoint: &str) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2")
        .bind(user_id)
        .bind(endpoint)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// The user's devices, with the push service's origin only.
pub async fn devices(db: &Db, user_id: i64) -> Result<Vec<Device>, AppError> {
    let rows = sqlx::query(
        "SELECT s.id, COALESCE(s.label, t.device) AS label, s.origin, s.created_at, s.last_success_at, s.last_status \
         FROM push_subscriptions s LEFT JOIN auth_tokens t ON t.id = s.session_id \
         WHERE s.user_id = $1 ORDER BY s.id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Device {
                id: r.try_get("id")?,
                label: r.try_get("label")?,
                origin: r.try_get("origin")?,
                created_at: r.try_get("created_at")?,
                last_success_at: r.try_get("last_success_at")?,
                last_status: r.try_get("last_status")?,
            })
        })
        .collect()
}

/// Deletes one of the user's subscriptions by id or endpoint, with its
/// pending pushes; false if none.
pub async fn delete_subscription(
    db: &Db,
    user_id: i64,
    id: Option<i64>,
    endpoint: Option<&str>,
) -> Result<bool, AppError> {
    let mut tx = db.begin_write().await?;
    let gone =
        sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND (id = $2 OR endpoint = $3) RETURNING id")
            .bind(user_id)
            .bind(id.unwrap_or(-1))
            .bind(endpoint.unwrap_or(""))
            .fetch_all(&mut *tx)
            .await?;
    for row in &gone {
        drop_target(&mut *tx, &target(row.try_get("id")?)).await?;
    }
    tx.commit().await?;
    Ok(!gone.is_empty())
}

/// The subscription is gone (404/410): delete it and its pending pushes.
pub async fn prune_subscription(db: &Db, subscription_id: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(subscription_id).execute(&mut *tx).await?;
    drop_target(&mut *tx, &target(subscription_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The push service took a push.
pub async fn record_success(db: &Db, subscription_id: i64, status: u16) -> Result<(), AppError> {
    sqlx::query("UPDATE push_subscriptions SET last_success_at = $2, last_status = $3 WHERE id = $1")
        .bind(subscription_id)
        .bind(now_ms())
        .bind(i64::from(status))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The push service's last answer, for the device list.
pub async fn record_status(db: &Db, subscription_id: i64, status: u16) -> Result<(), AppError> {
    sqlx::query("UPDATE push_subscriptions SET last_status = $2 WHERE id = $1")
        .bind(subscription_id)
        .bind(i64::from(status))
        .execute(db.pool())
        .await?;
    Ok(())
}
