//! Server functions the push opt-in and device list call.

use leptos::prelude::*;
use server_fn::codec::Json;

use super::model::{Device, NewSubscription};
use crate::error::AppError;

/// The VAPID key to subscribe with (base64url).
#[server(prefix = "/fn", endpoint = "push/key")]
pub async fn vapid_public_key() -> Result<String, AppError> {
    Ok(crate::server_ctx::state()?.push.public_key.clone())
}

/// Stores this browser's subscription (also used to re-sync at start-up).
#[server(prefix = "/fn", endpoint = "push/register", input = Json)]
pub async fn register_device(subscription: NewSubscription) -> Result<Device, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.push.subscribe(&session, subscription).await
    })
    .await
}

/// The caller's subscribed devices.
#[server(prefix = "/fn", endpoint = "push/devices")]
pub async fn list_devices() -> Result<Vec<Device>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.push.devices(&session.user).await
    })
    .await
}

/// Stops pushes to one device (by id, or by endpoint for this browser).
#[server(prefix = "/fn", endpoint = "push/revoke")]
pub async fn revoke_device(id: Option<i64>, endpoint: Option<String>) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.push.unsubscribe(&session.user, id, endpoint.as_deref()).await
    })
    .await
}

/// Sends a test notification to each of the caller's devices.
#[server(prefix = "/fn", endpoint = "push/test")]
pub async fn send_test_push() -> Result<u64, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.push.send_test(&session.user).await
    })
    .await
}


