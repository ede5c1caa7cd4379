//! Server functions the settings screen calls for notification preferences.

use super::model::Preferences;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/fn", endpoint = "notify/preferences")]
pub async fn get_preferences() -> Result<Preferences, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.notify.preferences(&session.user).await
    })
    .await
}

/// The settings form, as the browser posts it: the preview level, quiet
/// hours when `quiet` is on, and the page's language for the pushes' words
/// (kept as it was when not sent).
#[server(prefix = "/fn", endpoint = "notify/save-preferences")]
pub async fn save_preferences(
    push_preview: String,
    quiet: Option<String>,
    quiet_start: String,
    quiet_end: String,
    timezone: String,
    language: Option<String>,
) -> Result<(), AppError> {
    use super::model::{PushPreview, QuietHoursSpec};
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let notify = &server_ctx::state()?.notify;
        let language = match language.filter(|l| !l.is_empty()) {
            Some(language) => Some(language),
            None => notify.preferences(&session.user).await?.language,
        };
        let quiet_hours = quiet.is_some().then(|| QuietHoursSpec { start: quiet_start, end: quiet_end, timezone });
        let preferences = Preferences { quiet_hours, push_preview: PushPreview::parse(&push_preview), language };
        notify.set_preferences(&session.user, &preferences).await.map(|_| ())
    })
    .await
}
