//! `/api/v1/conversations/*`: thin handlers over `app::chat::service::Chat`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;

use app::chat::schedule::Scheduled;
use app::chat::service::{Outgoing, Sent};
use app::chat::{Conversation, Message};
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{Json, Path, Query, Reader, Writer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list).post(create))
        .route("/conversations/{id}", get(show))
        .route("/conversations/{id}/messages", get(history).post(send))
        .route("/conversations/{id}/read", post(read))
        .route("/conversations/{id}/typing", post(typing))
        .route("/conversations/{id}/members", post(add_member))
        .route("/conversations/{id}/members/{username}", delete(remove_member))
        .route("/conversations/{id}/scheduled", post(schedule))
        .route("/scheduled", get(scheduled))
        .route("/scheduled/{id}", delete(cancel_scheduled))
}

/// 201 for something new; 200 when an idempotent request found the original.
fn created_or_found<T>(created: bool, body: T) -> (StatusCode, Json<T>) {
    (if created { StatusCode::CREATED } else { StatusCode::OK }, Json(body))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewConversation {
    members: Vec<String>,
    title: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations",
    tag = "chat",
    request_body = NewConversation,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "a new conversation", body = Conversation), (status = 200, description = "the existing direct conversation of the pair", body = Conversation), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Writer(session): Writer,
    Json(body): Json<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>), AppError> {
    let (conversation, created) = state.chat.create_conversation(&session.user, &body.members, body.title).await?;
    Ok(created_or_found(created, conversation))
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    tag = "chat",
    responses((status = 200, description = "my conversations, most recent first", body = Vec<Conversation>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Reader(session): Reader,
) -> Result<Json<Vec<Conversation>>, AppError> {
    state.chat.list(&session.user).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}",
    tag = "chat",
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "the conversation", body = Conversation), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    Reader(session): Reader,
    Path(id): Path<i64>,
) -> Result<Json<Conversation>, AppError> {
    state.chat.get(&session.user, id).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Page {
    before: Option<i64>,
    after: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/messages",
    tag = "chat",
    params(("id" = i64, Path, description = "conversation id"), Page),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "messages, oldest first", body = Vec<Message>), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub(super) async fn history(
    State(state): State<AppState>,
    Reader(session): Reader,
    Path(id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<Message>>, AppError> {
    state.chat.history(&session.user, id, page.before, page.after, page.limit).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewMessage {
    client_id: String,
    /// Up to 4000 characters; for a streamed reply, its start (may be empty).
    #[serde(default)]
    body: String,
    /// Start a streamed reply: members see it grow with each
    /// `POST /api/v1/messages/{id}/append` until `…/finish`.
    #[serde(default)]
    streaming: bool,
    /// The id of the message this one answers, in the same conversation;
    /// it shows quoted above.
    reply_to: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/messages",
    tag = "chat",
    request_body = NewMessage,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "stored", body = Message), (status = 200, description = "the original of a repeated client_id", body = Message), (status = 404, description = "no such conversation", body = ErrorBody), (status = 409, description = "client_id_reused", body = ErrorBody), (status = 429, description = "sending too fast; see Retry-After", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn send(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewMessage>,
) -> Result<(StatusCode, Json<Message>), AppError> {
    let outgoing =
        Outgoing { client_id: &body.client_id, body: &body.body, reply_to: body.reply_to, streaming: body.streaming };
    let (message, sent) = state.chat.post(&session.user, id, outgoing).await?;
    Ok(created_or_found(sent == Sent::Created, message))
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/typing",
    tag = "chat",
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 204, description = "the other members see \"… is typing\" for 5 s; call again to keep it"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a member, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 429, description = "too many; see Retry-After", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn typing(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.chat.typing(&session.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct ReadPointer {
    message_id: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/read",
    tag = "chat",
    request_body = ReadPointer,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "the read pointer moved (never back)"), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn read(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<ReadPointer>,
) -> Result<StatusCode, AppError> {
    state.chat.mark_read(&session.user, id, body.message_id, Some(session.token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewMember {
    username: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/members",
    tag = "chat",
    request_body = NewMember,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "the group with its members", body = Conversation), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn add_member(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewMember>,
) -> Result<Json<Conversation>, AppError> {
    state.chat.add_member(&session.user, id, &body.username).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/conversations/{id}/members/{username}",
    tag = "chat",
    params(("id" = i64, Path, description = "conversation id"), ("username" = String, Path, description = "who leaves or is removed")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "removed"), (status = 404, description = "no such conversation or member", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn remove_member(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path((id, username)): Path<(i64, String)>,
) -> Result<StatusCode, AppError> {
    state.chat.remove_member(&session.user, id, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewScheduled {
    client_id: String,
    body: String,
    /// Milliseconds since the Unix epoch.
    send_at: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/scheduled",
    tag = "chat",
    request_body = NewScheduled,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "scheduled", body = Scheduled), (status = 200, description = "the pending original of a repeated client_id", body = Scheduled), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn schedule(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewScheduled>,
) -> Result<(StatusCode, Json<Scheduled>), AppError> {
    let (scheduled, created) =
        state.chat.schedule(&session.user, id, &body.client_id, &body.body, body.send_at).await?;
    Ok(created_or_found(created, scheduled))
}

#[utoipa::path(
    get,
    path = "/api/v1/scheduled",
    tag = "chat",
    responses((status = 200, description = "my scheduled messages, soonest first", body = Vec<Scheduled>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub(super) async fn scheduled(
    State(state): State<AppState>,
    Reader(session): Reader,
) -> Result<Json<Vec<Scheduled>>, AppError> {
    state.chat.scheduled(&session.user).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/scheduled/{id}",
    tag = "chat",
    params(("id" = i64, Path, description = "scheduled message id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "cancelled"), (status = 404, description = "not mine", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn cancel_scheduled(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.chat.cancel_scheduled(&session.user, id).await.map(|()| StatusCode::NO_CONTENT)
}
