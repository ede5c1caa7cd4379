//! `/api/v1/push/*`: thin handlers over `PushService`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use app::error::{AppError, ErrorBody};
use app::push::model::{Delivery, Device, NewSubscription, Preview};
use app::state::AppState;

use super::extract::{DeliveryFilter, Json, Path, Pusher, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push/vapid-public-key", get(public_key))
        .route("/push/subscriptions", get(list).post(subscribe).delete(unsubscribe_by_endpoint))
        .route("/push/subscriptions/{id}", delete(unsubscribe_by_id))
        .route("/push/test", post(test))
        .route("/push/deliveries", get(deliveries))
        .route("/push/preview", get(preview))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PublicKey {
    key: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/push/vapid-public-key",
    tag = "push",
    responses((status = 200, description = "the applicationServerKey", body = PublicKey)),
    security(())
)]
pub(super) async fn public_key(State(state): State<AppState>) -> Json<PublicKey> {
    Json(PublicKey { key: state.push.public_key.clone() })
}

#[utoipa::path(
    post,
    path = "/api/v1/push/subscriptions",
    tag = "push",
    request_body = NewSubscription,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "the device", body = Device), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn subscribe(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Json(body): Json<NewSubscription>,
) -> Result<(StatusCode, Json<Device>), AppError> {
    let device = state.push.subscribe(&session, body).await?;
    Ok((StatusCode::CREATED, Json(device)))
}

#[utoipa::path(
    get,
    path = "/api/v1/push/subscriptions",
    tag = "push",
    responses((status = 200, description = "my devices", body = Vec<Device>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    Pusher(session): Pusher,
) -> Result<Json<Vec<Device>>, AppError> {
    state.push.devices(&session.user).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct ByEndpoint {
    endpoint: String,
}

#[utoipa::path(
    delete,
    path = "/api/v1/push/subscriptions",
    tag = "push",
    request_body = ByEndpoint,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "removed"), (status = 404, description = "no such device of mine", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn unsubscribe_by_endpoint(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Json(body): Json<ByEndpoint>,
) -> Result<StatusCode, AppError> {
    state.push.unsubscribe(&session.user, None, Some(&body.endpoint)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/v1/push/subscriptions/{id}",
    tag = "push",
    params(("id" = i64, Path, description = "device id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "removed"), (status = 404, description = "no such device of mine", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn unsubscribe_by_id(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.push.unsubscribe(&session.user, Some(id), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Queued {
    queued: u64,
}

#[utoipa::path(
    post,
    path = "/api/v1/push/test",
    tag = "push",
    responses((status = 202, description = "queued to each device", body = Queued), (status = 429, description = "too many test pushes; see Retry-After", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn test(
    State(state): State<AppState>,
    Pusher(session): Pusher,
) -> Result<(StatusCode, Json<Queued>), AppError> {
    let queued = state.push.send_test(&session.user).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { queued })))
}

#[utoipa::path(
    get,
    path = "/api/v1/push/deliveries",
    tag = "push",
    params(DeliveryFilter),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "my push deliveries with that status", body = Vec<Delivery>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Query(filter): Query<DeliveryFilter>,
) -> Result<Json<Vec<Delivery>>, AppError> {
    state.push.deliveries(&session.user, filter.status()).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PreviewQuery {
    conversation_id: Option<i64>,
    message_id: Option<i64>,
    notification_id: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/push/preview",
    tag = "push",
    params(PreviewQuery),
    responses((status = 200, description = "what a private push did not carry: its title, body and link", body = Preview), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a member, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 404, description = "no such message or notification of mine", body = ErrorBody), (status = 422, description = "invalid query", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["push"]))
)]
pub(super) async fn preview(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<Preview>, AppError> {
    state.push.preview(&session.user, q.conversation_id, q.message_id, q.notification_id).await.map(Json)
}
