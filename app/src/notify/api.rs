//! Server functions the settings screen calls for notification preferences.

use leptos::prelude::*;
use server_fn::codec::Json;

use super::model::Preferences;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "notify/preferences")]
pub async fn get_preferences() -> Result<Preferences, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.notify.preferences(&session.user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "notify/save-preferences", input = Json)]
pub async fn save_preferences(preferences: Preferences) -> Result<Preferences, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.notify.set_preferences(&session.user, &preferences).await
    })
    .await
}
