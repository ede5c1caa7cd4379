//! Server functions the chat UI calls. Thin wrappers over `service::Chat`;
//! live traffic goes over the WebSocket instead.

use leptos::prelude::*;

use super::model::{Conversation, Message, Reactions};
use crate::error::AppError;

/// The caller's conversations, most recent first (none when signed out).
#[server(prefix = "/fn", endpoint = "chat/conversations")]
pub async fn list_conversations() -> Result<Vec<Conversation>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        match server_ctx::session().await {
            Ok(session) => server_ctx::state()?.chat.list(&session.user).await,
            Err(AppError::Unauthenticated) => Ok(Vec::new()),
            Err(err) => Err(err),
        }
    })
    .await
}

/// One conversation (403 if the caller is not a member).
#[server(prefix = "/fn", endpoint = "chat/conversation")]
pub async fn get_conversation(id: i64) -> Result<Conversation, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.get(&session.user, id).await
    })
    .await
}

/// A page of history before `before` (or the newest page), ascending.
#[server(prefix = "/fn", endpoint = "chat/messages")]
pub async fn load_messages(conversation_id: i64, before: Option<i64>) -> Result<Vec<Message>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.history(&session.user, conversation_id, before, None, Some(50)).await
    })
    .await
}

/// The messages I can read that match `query`, newest first (see `Chat::search`).
#[server(prefix = "/fn", endpoint = "chat/search")]
pub async fn search_messages(query: String) -> Result<Vec<crate::chat::search::SearchHit>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.search(&session.user, &query, None, None, None).await
    })
    .await
}

/// Starts (or finds) a conversation. `usernames` is comma- or space-separated.
#[server(prefix = "/fn", endpoint = "chat/start")]
pub async fn start_conversation(usernames: String, title: Option<String>) -> Result<Conversation, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let names: Vec<String> =
            usernames.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        let (conversation, _) = server_ctx::state()?.chat.create_conversation(&session.user, &names, title).await?;
        Ok(conversation)
    })
    .await
}

/// Sends over HTTP (used when the socket is down).
#[server(prefix = "/fn", endpoint = "chat/send")]
pub async fn send_message(
    conversation_id: i64,
    client_id: String,
    body: String,
    reply_to: Option<i64>,
) -> Result<Message, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        let outgoing = super::service::Outgoing { client_id: &client_id, body: &body, reply_to, streaming: false };
        let (message, _) = server_ctx::state()?.chat.post(&session.user, conversation_id, outgoing).await?;
        Ok(message)
    })
    .await
}

/// Moves the read pointer forward.
#[server(prefix = "/fn", endpoint = "chat/read")]
pub async fn mark_read(conversation_id: i64, message_id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.mark_read(&session.user, conversation_id, message_id, Some(session.token_id)).await
    })
    .await
}

/// Changes the text of one of my messages (within the edit window).
#[server(prefix = "/fn", endpoint = "chat/edit")]
pub async fn edit_message(id: i64, body: String) -> Result<Message, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.edit(&session.user, id, &body).await
    })
    .await
}

/// Deletes a message (mine, or any in a group I own).
#[server(prefix = "/fn", endpoint = "chat/delete")]
pub async fn delete_message(id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.delete_message(&session.user, id).await
    })
    .await
}

/// Adds (`on`) or removes my reaction; the message's reactions after.
#[server(prefix = "/fn", endpoint = "chat/react")]
pub async fn react(id: i64, emoji: String, on: bool) -> Result<Reactions, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.react(&session.user, id, &emoji, on).await
    })
    .await
}

/// The full emoji picker's contents, by group (fetched when it first opens).
#[server(prefix = "/fn", endpoint = "chat/emoji", input = server_fn::codec::GetUrl)]
pub async fn emoji_catalog() -> Result<Vec<(String, Vec<(String, String)>)>, AppError> {
    Ok(super::react::catalog())
}

/// Chooses what pushes me in one conversation (`None`: its default).
#[server(prefix = "/fn", endpoint = "chat/notify")]
pub async fn set_notify_level(
    conversation_id: i64,
    level: Option<super::level::NotifyLevel>,
) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.chat.set_notify_level(&session.user, conversation_id, level).await
    })
    .await
}
