//! `/api/v1/conversations/{id}/notify` (and the older `/mute`): what
//! pushes me in one conversation. Thin handlers over `Chat`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::put;
use serde::Deserialize;

use app::chat::level::{NotifyLevel, NotifySetting};
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{Json, Path, Pusher};

pub fn router() -> Router<AppState> {
    Router::new().route("/conversations/{id}/notify", put(notify)).route("/conversations/{id}/mute", put(mute))
}

#[utoipa::path(
    put,
    path = "/api/v1/conversations/{id}/notify",
    tag = "push",
    request_body = NotifySetting,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "saved: `all` pushes every message, `mentions` only those naming me, `none` nothing; `null` goes back to the default (direct conversations and groups of up to 10: all; larger groups: mentions)"), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input (invalid_body: level is all, mentions, none or null)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn notify(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Path(id): Path<i64>,
    Json(body): Json<NotifySetting>,
) -> Result<StatusCode, AppError> {
    state.chat.set_notify_level(&session.user, id, body.level).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct Mute {
    muted: bool,
}

/// Kept for older clients: muting is the `none` level, unmuting the default.
#[utoipa::path(
    put,
    path = "/api/v1/conversations/{id}/mute",
    tag = "push",
    request_body = Mute,
    params(("id" = i64, Path, description = "conversation id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "saved (muted: level none; unmuted: the default level)"), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn mute(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Path(id): Path<i64>,
    Json(body): Json<Mute>,
) -> Result<StatusCode, AppError> {
    let level = body.muted.then_some(NotifyLevel::None);
    state.chat.set_notify_level(&session.user, id, level).await?;
    Ok(StatusCode::NO_CONTENT)
}
