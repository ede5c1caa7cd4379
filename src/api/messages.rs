//! `/api/v1/messages/{id}`: editing and deleting a message, its
//! reactions, and the streamed replies' `…/append` and `…/finish`; thin
//! handlers over `app::chat::{edit, react, stream}`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post, put};
use serde::Deserialize;

use app::chat::{Message, Reactions};
use app::chat::stream::Appended;
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{Json, Path, Writer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages/{id}", patch(edit).delete(remove))
        .route("/messages/{id}/append", post(append))
        .route("/messages/{id}/finish", post(finish))
        .route("/messages/{id}/reactions/{emoji}", put(react).delete(unreact))
}

#[utoipa::path(
    put,
    path = "/api/v1/messages/{id}/reactions/{emoji}",
    tag = "chat",
    description = "Adds my reaction (one emoji, percent-encoded in the path) to a message; members get a `reaction` frame. Reactions never push.",
    params(("id" = i64, Path, description = "message id"), ("emoji" = String, Path, description = "one emoji, e.g. %F0%9F%91%8D")),
    responses((status = 200, description = "the message's reactions now (also when mine was already there)", body = Reactions), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody), (status = 409, description = "message_deleted", body = ErrorBody), (status = 422, description = "invalid_emoji (not one emoji) or too_many_reactions (20 kinds)", body = ErrorBody), (status = 429, description = "too many; see Retry-After", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn react(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path((id, emoji)): Path<(i64, String)>,
) -> Result<Json<Reactions>, AppError> {
    state.chat.react(&session.user, id, &emoji, true).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/messages/{id}/reactions/{emoji}",
    tag = "chat",
    description = "Takes my reaction off a message; members get a `reaction` frame.",
    params(("id" = i64, Path, description = "message id"), ("emoji" = String, Path, description = "one emoji, percent-encoded")),
    responses((status = 200, description = "the message's reactions now (also when mine was not there)", body = Reactions), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody), (status = 409, description = "message_deleted", body = ErrorBody), (status = 422, description = "invalid_emoji", body = ErrorBody), (status = 429, description = "too many; see Retry-After", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn unreact(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path((id, emoji)): Path<(i64, String)>,
) -> Result<Json<Reactions>, AppError> {
    state.chat.react(&session.user, id, &emoji, false).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct Append {
    /// The next piece, 1–4000 characters.
    text: String,
    /// This append's number (1, 2, 3…), to make retries safe: one already
    /// stored is answered with `duplicate: true` and not added again.
    seq: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/append",
    tag = "chat",
    request_body = Append,
    description = "Appends to a streamed reply of yours; members get a `message_delta` frame.",
    params(("id" = i64, Path, description = "message id")),
    responses((status = 200, description = "appended (or a retry of one already stored)", body = Appended), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not your message, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody), (status = 409, description = "not_streaming (finished) or out_of_order (seq)", body = ErrorBody), (status = 422, description = "invalid input, or the reply would pass 16,000 characters", body = ErrorBody), (status = 429, description = "too many; see Retry-After", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn append(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<Append>,
) -> Result<Json<Appended>, AppError> {
    state.chat.append(&session.user, id, &body.text, body.seq).await.map(Json)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub(super) struct Finish {
    /// The final text, replacing what was appended (up to 16,000 characters).
    body: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/finish",
    tag = "chat",
    request_body = Finish,
    description = "Finishes a streamed reply of yours: members get `message_finished`, and those away one push.",
    params(("id" = i64, Path, description = "message id")),
    responses((status = 200, description = "finished (also when it already was, with the same text)", body = Message), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not your message, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody), (status = 409, description = "not_streaming: finished already, with other text", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn finish(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<Finish>,
) -> Result<Json<Message>, AppError> {
    state.chat.finish(&session.user, id, body.body.as_deref()).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct Edit {
    /// The new text, 1–4000 characters.
    body: String,
}

#[utoipa::path(
    patch,
    path = "/api/v1/messages/{id}",
    tag = "chat",
    request_body = Edit,
    description = "Changes the text of a message of yours, within the edit window (24 h by default); members get `message_edited`.",
    params(("id" = i64, Path, description = "message id")),
    responses((status = 200, description = "edited (or unchanged: the same text)", body = Message), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not your message, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody), (status = 409, description = "edit_window_passed, message_deleted or streaming", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn edit(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<Edit>,
) -> Result<Json<Message>, AppError> {
    state.chat.edit(&session.user, id, &body.body).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/messages/{id}",
    tag = "chat",
    description = "Deletes a message: yours, or any in a group you own. It stays as a tombstone without its text; members get `message_deleted`.",
    params(("id" = i64, Path, description = "message id")),
    responses((status = 204, description = "deleted (also when it already was)"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not yours, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:write"]))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.chat.delete_message(&session.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
