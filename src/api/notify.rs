//! `/api/v1/notifications/*` and `/api/v1/me/preferences`: thin handlers
//! over the `Notify` service.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;

use app::error::{AppError, ErrorBody};
use app::notify::model::{Notification, Preferences, Schedule, UnreadCount};
use app::notify::publish::{PublishRequest, Published};
use app::notify::service::Actor;
use app::notify::store::InboxQuery;
use app::state::AppState;

use super::extract::{Json, Notifier, Path, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list).post(publish))
        .route("/notifications/unread-count", get(unread_count))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/scheduled", get(scheduled))
        .route("/notifications/scheduled/{id}", delete(cancel_scheduled))
        .route("/notifications/{id}", delete(archive))
        .route("/notifications/{id}/read", post(read))
        .route("/me/preferences", get(preferences).put(set_preferences))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications",
    tag = "notifications",
    request_body = PublishRequest,
    responses((status = 201, description = "stored and sent, or scheduled", body = Published), (status = 200, description = "a repeated dedupe_key: the first answer, nothing new", body = Published), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed to notify that person (not_allowed), or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input: text, url, kind, recurrence, timezone, send_at or recipients", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn publish(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Json(body): Json<PublishRequest>,
) -> Result<(StatusCode, Json<Published>), AppError> {
    let token_id = session.scopes.is_some().then_some(session.token_id);
    let notify_any = session.may_notify_anyone();
    let actor = Actor { user: session.user, token_id, notify_any };
    let (published, new) = state.notify.publish(&actor, &body).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(published)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// `unread` or `all` (default).
    status: Option<String>,
    kind: Option<String>,
    /// Only notifications with a smaller id (the last of the previous page).
    before: Option<i64>,
    /// 1 to 100, default 50.
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(ListQuery),
    responses((status = 200, description = "my inbox, newest first", body = Vec<Notification>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid query", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Notification>>, AppError> {
    let unread_only = match q.status.as_deref() {
        None | Some("all") => false,
        Some("unread") => true,
        Some(_) => return Err(AppError::invalid("invalid_status", "status is unread or all")),
    };
    if let Some(kind) = &q.kind {
        app::notify::model::validate_kind(kind)?;
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(AppError::invalid("invalid_limit", "limit is 1 to 100"));
    }
    let query = InboxQuery { unread_only, kind: q.kind.as_deref(), before: q.before, limit };
    state.notify.inbox(&session.user, &query).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/unread-count",
    tag = "notifications",
    responses((status = 200, description = "unread notifications and messages (the app badge is their sum)", body = UnreadCount), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn unread_count(
    State(state): State<AppState>,
    Notifier(session): Notifier,
) -> Result<Json<UnreadCount>, AppError> {
    state.notify.unread_count(&session.user).await.map(Json)
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "notifications",
    params(("id" = i64, Path, description = "notification id")),
    responses((status = 204, description = "read"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such notification of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn read(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.notify.read(&session.user, id, Some(session.token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReadAll {
    /// Only this kind.
    #[serde(default)]
    kind: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/read-all",
    tag = "notifications",
    request_body = ReadAll,
    responses((status = 204, description = "all read"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn read_all(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Json(body): Json<ReadAll>,
) -> Result<StatusCode, AppError> {
    if let Some(kind) = &body.kind {
        app::notify::model::validate_kind(kind)?;
    }
    state.notify.read_all(&session.user, body.kind.as_deref(), Some(session.token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/v1/notifications/{id}",
    tag = "notifications",
    params(("id" = i64, Path, description = "notification id")),
    responses((status = 204, description = "archived"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such notification of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn archive(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.notify.archive(&session.user, id, Some(session.token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/scheduled",
    tag = "notifications",
    responses((status = 200, description = "schedules for me or made by me, soonest first", body = Vec<Schedule>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn scheduled(
    State(state): State<AppState>,
    Notifier(session): Notifier,
) -> Result<Json<Vec<Schedule>>, AppError> {
    state.notify.schedules(&session.user).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/notifications/scheduled/{id}",
    tag = "notifications",
    params(("id" = i64, Path, description = "schedule id")),
    responses((status = 204, description = "cancelled"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such schedule of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn cancel_scheduled(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.notify.cancel_schedule(&session.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/me/preferences",
    tag = "notifications",
    responses((status = 200, description = "my quiet hours, push preview level and language", body = Preferences), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn preferences(
    State(state): State<AppState>,
    Notifier(session): Notifier,
) -> Result<Json<Preferences>, AppError> {
    state.notify.preferences(&session.user).await.map(Json)
}

#[utoipa::path(
    put,
    path = "/api/v1/me/preferences",
    tag = "notifications",
    request_body = Preferences,
    responses((status = 200, description = "saved", body = Preferences), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid quiet hours, timezone or language", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["notify"]))
)]
pub(super) async fn set_preferences(
    State(state): State<AppState>,
    Notifier(session): Notifier,
    Json(body): Json<Preferences>,
) -> Result<Json<Preferences>, AppError> {
    state.notify.set_preferences(&session.user, &body).await.map(Json)
}
