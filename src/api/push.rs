//! `/api/v1/push/*` and conversation muting: thin handlers over `PushService`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::{Deserialize, Serialize};

use app::error::AppError;
use app::push::model::{Delivery, Device, NewSubscription};
use app::state::AppState;

use super::extract::{Json, Path, Pusher, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push/vapid-public-key", get(public_key))
        .route("/push/subscriptions", get(list).post(subscribe).delete(unsubscribe_by_endpoint))
        .route("/push/subscriptions/{id}", delete(unsubscribe_by_id))
        .route("/push/test", post(test))
        .route("/push/deliveries", get(deliveries))
        .route("/conversations/{id}/mute", put(mute))
}

#[derive(Serialize)]
struct PublicKey {
    key: String,
}

async fn public_key(State(state): State<AppState>) -> Json<PublicKey> {
    Json(PublicKey { key: state.push.public_key.clone() })
}

async fn subscribe(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Json(body): Json<NewSubscription>,
) -> Result<(StatusCode, Json<Device>), AppError> {
    let device = state.push.subscribe(&session, body).await?;
    Ok((StatusCode::CREATED, Json(device)))
}

async fn list(State(state): State<AppState>, Pusher(session): Pusher) -> Result<Json<Vec<Device>>, AppError> {
    state.push.devices(&session.user).await.map(Json)
}

#[derive(Deserialize)]
struct ByEndpoint {
    endpoint: String,
}

async fn unsubscribe_by_endpoint(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Json(body): Json<ByEndpoint>,
) -> Result<StatusCode, AppError> {
    state.push.unsubscribe(&session.user, None, Some(&body.endpoint)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unsubscribe_by_id(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.push.unsubscribe(&session.user, Some(id), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct Queued {
    queued: u64,
}

async fn test(State(state): State<AppState>, Pusher(session): Pusher) -> Result<(StatusCode, Json<Queued>), AppError> {
    let queued = state.push.send_test(&session.user).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { queued })))
}

#[derive(Deserialize)]
struct DeliveryFilter {
    status: Option<String>,
}

async fn deliveries(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Query(filter): Query<DeliveryFilter>,
) -> Result<Json<Vec<Delivery>>, AppError> {
    let status = filter.status.as_deref().unwrap_or("dead");
    state.push.deliveries(&session.user, status).await.map(Json)
}

#[derive(Deserialize)]
struct Mute {
    muted: bool,
}

async fn mute(
    State(state): State<AppState>,
    Pusher(session): Pusher,
    Path(id): Path<i64>,
    Json(body): Json<Mute>,
) -> Result<StatusCode, AppError> {
    state.push.set_muted(&session.user, id, body.muted).await?;
    Ok(StatusCode::NO_CONTENT)
}
