//! Push types shared by the server, the REST API and the browser.

use serde::{Deserialize, Serialize};

/// `PushSubscription.toJSON()` from the browser, plus an optional label.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSubscription {
    pub endpoint: String,
    #[serde(default)]
    pub expiration_time: Option<i64>,
    pub keys: SubscriptionKeys,
    /// A device name the user recognises ("Pixel 8", "Work laptop").
    #[serde(default)]
    pub label: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// 16 random bytes, base64url.
    pub auth: String,
}

/// A subscribed device as its owner sees it: no endpoint path, no keys.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    pub label: Option<String>,
    /// Scheme and host of the push service, e.g. `https://fcm.googleapis.com`.
    pub origin: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_status: Option<i64>,
}

/// One push delivery, for `GET /api/v1/push/deliveries`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub kind: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// What the service worker receives (the decrypted push payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// `private` previews: no title or body here; the service worker asks
    /// `GET /api/v1/push/preview` for them with the device's session.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub url: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    /// Notifications with the same tag replace each other on the device.
    pub tag: String,
    /// The recipient's unread total, for the app badge.
    pub unread: i64,
}

/// A push's text, fetched by the service worker for a `private` push.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub title: String,
    pub body: String,
    pub url: String,
}
