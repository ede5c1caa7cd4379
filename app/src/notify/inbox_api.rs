//! Server functions the bell, the inbox screen and "Remind me" call: thin
//! doors over `Notify`, as the REST routes are.

use leptos::prelude::*;

use super::model::Notification;
use crate::error::AppError;

/// How many the inbox screen shows (newest first).
pub const INBOX_PAGE: i64 = 50;

#[server(prefix = "/fn", endpoint = "notify/inbox")]
pub async fn load_inbox() -> Result<Vec<Notification>, AppError> {
    use super::store::InboxQuery;
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let query = InboxQuery { limit: INBOX_PAGE, ..Default::default() };
        server_ctx::state()?.notify.inbox(&session.user, &query).await
    })
    .await
}

/// Unread notifications, for the bell (the app badge adds unread messages).
#[server(prefix = "/fn", endpoint = "notify/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        Ok(server_ctx::state()?.notify.unread_count(&session.user).await?.notifications)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "notify/read")]
pub async fn read_notification(id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.notify.read(&session.user, id, Some(session.token_id)).await
    })
    .await
}

/// Marks all read, or all of one `kind` when it is not empty.
#[server(prefix = "/fn", endpoint = "notify/read-all")]
pub async fn read_all_notifications(kind: String) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let kind = Some(kind.as_str()).filter(|k| !k.is_empty());
        server_ctx::state()?.notify.read_all(&session.user, kind, Some(session.token_id)).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "notify/archive")]
pub async fn archive_notification(id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.notify.archive(&session.user, id, Some(session.token_id)).await
    })
    .await
}

/// "Remind me": `when` is `10min`, `tomorrow`, `at` (then `at` holds a
/// local date-time) or `daily` (then `daily` holds a local `HH:MM`), all read
/// in `timezone`, the browser's zone.
#[server(prefix = "/fn", endpoint = "notify/remind")]
pub async fn remind_me(
    text: String,
    when: String,
    at: String,
    daily: String,
    timezone: String,
) -> Result<(), AppError> {
    use super::remind::When;
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let when = When::from_form(&when, &at, &daily)?;
        server_ctx::state()?.notify.remind(&session.user, &text, &when, &timezone).await.map(|_| ())
    })
    .await
}
