//! Push operations behind the REST API and server functions (server only).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use super::deliver;
use super::model::{Delivery, Device, NewSubscription, Preview};
use super::store;
use super::validate::validate;
use crate::auth::User;
use crate::auth::service::Session;
use crate::chat::access::require_member;
use crate::db::Db;
use crate::error::AppError;

/// A user may register this many devices.
pub const MAX_SUBSCRIPTIONS: i64 = 20;
const LABEL_MAX_CHARS: usize = 64;

#[derive(Clone)]
pub struct PushService {
    pub db: Db,
    /// The VAPID public key browsers subscribe with (base64url).
    pub public_key: String,
    pub allow_private: bool,
    /// Wakes the job workers.
    pub wake: crate::queue::Waker,
    pub limits: crate::rate_limit::RateLimits,
}

impl PushService {
    /// Registers (or refreshes) the caller's device, for as long as the
    /// caller's session lasts. An endpoint that belonged to someone else
    /// moves to the caller.
    pub async fn subscribe(&self, session: &Session, subscription: NewSubscription) -> Result<Device, AppError> {
        let me = &session.user;
        let keys = &subscription.keys;
        let valid = validate(&subscription.endpoint, &keys.p256dh, &keys.auth, self.allow_private).await?;
        let label = subscription.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        if label.is_some_and(|l| l.chars().count() > LABEL_MAX_CHARS) {
            return Err(AppError::invalid(
                "invalid_label",
                format!("a device label has at most {LABEL_MAX_CHARS} characters"),
            ));
        }
        let endpoint = valid.endpoint.as_str();
        if store::count_other_subscriptions(&self.db, me.id, endpoint).await? >= MAX_SUBSCRIPTIONS {
            return Err(AppError::invalid(
                "too_many_subscriptions",
                format!("at most {MAX_SUBSCRIPTIONS} devices; revoke one first"),
            ));
        }
        let id = store::upsert_subscription(
            &self.db,
            me.id,
            session.token_id,
            endpoint,
            &B64.encode(&valid.p256dh),
            &B64.encode(&valid.auth),
            label,
            subscription.expiration_time,
        )
        .await?;
        store::devices(&self.db, me.id)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| AppError::NotFound("subscription".into()))
    }

    pub async fn devices(&self, me: &User) -> Result<Vec<Device>, AppError> {
        store::devices(&self.db, me.id).await
    }

    /// Removes a device by id or endpoint; 404 when the caller has no such device.
    pub async fn unsubscribe(&self, me: &User, id: Option<i64>, endpoint: Option<&str>) -> Result<(), AppError> {
        if id.is_none() && endpoint.is_none() {
            return Err(AppError::invalid("invalid_body", "give the subscription's id or endpoint"));
        }
        if store::delete_subscription(&self.db, me.id, id, endpoint).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("subscription".into()))
        }
    }

    /// Queues a test notification to each of the caller's devices; 429
    /// past a few in a row.
    pub async fn send_test(&self, me: &User) -> Result<u64, AppError> {
        self.limits.push_test.check(&me.id)?;
        let devices = store::recipients_for_user(&self.db, me.id).await?;
        if devices.is_empty() {
            return Err(AppError::invalid("no_devices", "this account has no device subscribed to notifications"));
        }
        let jobs: Vec<_> =
            devices.iter().map(|d| deliver::job(deliver::TEST, d, &deliver::PushJob::default())).collect();
        let mut conn = self.db.pool().acquire().await?;
        let queued = crate::queue::enqueue_many(&mut conn, &jobs).await?;
        self.wake.wake();
        Ok(queued)
    }

    /// The caller's deliveries with a status (`pending`, `done` or `dead`).
    pub async fn deliveries(&self, me: &User, status: &str) -> Result<Vec<Delivery>, AppError> {
        if !matches!(status, "pending" | "done" | "dead") {
            return Err(AppError::invalid("invalid_status", "status is one of pending, done, dead"));
        }
        store::deliveries(&self.db, me.id, status, 200).await
    }

    /// The text of a `private` push, for the service worker to show: a
    /// message of one of my conversations, or one of my notifications.
    pub async fn preview(
        &self,
        me: &User,
        conversation_id: Option<i64>,
        message_id: Option<i64>,
        notification_id: Option<i64>,
    ) -> Result<Preview, AppError> {
        if let Some(id) = notification_id {
            let item = crate::notify::store::notification(&self.db, me.id, id)
                .await?
                .ok_or_else(|| AppError::NotFound("notification".into()))?;
            return Ok(Preview { title: item.title, body: item.body, url: item.url.unwrap_or_else(|| "/".into()) });
        }
        let (Some(conversation_id), Some(message_id)) = (conversation_id, message_id) else {
            return Err(AppError::invalid("invalid_query", "give notification_id, or conversation_id and message_id"));
        };
        require_member(&self.db, conversation_id, me.id).await?;
        let context = store::message_context(&self.db, message_id, me.id)
            .await?
            .filter(|c| c.conversation_id == conversation_id)
            .ok_or_else(|| AppError::NotFound("message".into()))?;
        let title = match (&context.title, context.is_group) {
            (Some(title), true) => format!("{} · {title}", context.author),
            _ => context.author.clone(),
        };
        Ok(Preview { title, body: context.body, url: format!("/c/{conversation_id}") })
    }
}
