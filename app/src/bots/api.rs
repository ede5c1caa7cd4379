//! Server functions of the Bots settings: thin doors over `Bots`, as the
//! REST routes are. A person signed in only (`server_ctx::session`).

use leptos::prelude::*;

use super::model::{Bot, BotCreated, BotSummary, BotToken};
use crate::error::AppError;

/// Failed deliveries shown per bot.
pub const FAILURES_SHOWN: i64 = 3;

#[server(prefix = "/fn", endpoint = "bots/list")]
pub async fn list_bots() -> Result<Vec<BotSummary>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.bots.summaries(&session, FAILURES_SHOWN).await
    })
    .await
}

/// The form's fields: `public` is "on" when ticked.
#[server(prefix = "/fn", endpoint = "bots/create")]
pub async fn create_bot(username: String, webhook_url: String, public: Option<String>) -> Result<BotCreated, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let new = super::model::NewBot {
            username,
            webhook_url: Some(webhook_url),
            public: public.is_some(),
            ..Default::default()
        };
        server_ctx::state()?.bots.create(&session, &new).await
    })
    .await
}

/// Sets the webhook (empty removes it) and, with `enable`, turns a
/// disabled bot back on.
#[server(prefix = "/fn", endpoint = "bots/update")]
pub async fn update_bot(id: i64, webhook_url: Option<String>, enable: bool) -> Result<Bot, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let changes = super::model::BotChanges { webhook_url, disabled: enable.then_some(false), ..Default::default() };
        server_ctx::state()?.bots.update(&session, id, &changes).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "bots/rotate")]
pub async fn rotate_bot_token(id: i64) -> Result<BotToken, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.bots.rotate_token(&session, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "bots/delete")]
pub async fn delete_bot(id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.bots.delete(&session, id).await
    })
    .await
}
