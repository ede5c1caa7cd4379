//! `/api/v1/conversations/*`: thin handlers over `app::chat::service::Chat`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;

use app::chat::schedule::Scheduled;
use app::chat::service::Sent;
use app::chat::{Conversation, Message};
use app::error::AppError;
use app::state::AppState;

use super::extract::{Json, Path, Query, Reader, Writer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list).post(create))
        .route("/conversations/{id}", get(show))
        .route("/conversations/{id}/messages", get(history).post(send))
        .route("/conversations/{id}/read", post(read))
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

#[derive(Deserialize)]
struct NewConversation {
    members: Vec<String>,
    title: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    Writer(session): Writer,
    Json(body): Json<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>), AppError> {
    let (conversation, created) = state.chat.create_conversation(&session.user, &body.members, body.title).await?;
    Ok(created_or_found(created, conversation))
}

async fn list(State(state): State<AppState>, Reader(session): Reader) -> Result<Json<Vec<Conversation>>, AppError> {
    state.chat.list(&session.user).await.map(Json)
}

async fn show(
    State(state): State<AppState>,
    Reader(session): Reader,
    Path(id): Path<i64>,
) -> Result<Json<Conversation>, AppError> {
    state.chat.get(&session.user, id).await.map(Json)
}

#[derive(Deserialize)]
struct Page {
    before: Option<i64>,
    after: Option<i64>,
    limit: Option<i64>,
}

async fn history(
    State(state): State<AppState>,
    Reader(session): Reader,
    Path(id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<Message>>, AppError> {
    state.chat.history(&session.user, id, page.before, page.after, page.limit).await.map(Json)
}

#[derive(Deserialize)]
struct NewMessage {
    client_id: String,
    body: String,
}

async fn send(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewMessage>,
) -> Result<(StatusCode, Json<Message>), AppError> {
    let (message, sent) = state.chat.send(&session.user, id, &body.client_id, &body.body).await?;
    Ok(created_or_found(sent == Sent::Created, message))
}

#[derive(Deserialize)]
struct ReadPointer {
    message_id: i64,
}

async fn read(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<ReadPointer>,
) -> Result<StatusCode, AppError> {
    state.chat.mark_read(&session.user, id, body.message_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewMember {
    username: String,
}

async fn add_member(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewMember>,
) -> Result<Json<Conversation>, AppError> {
    state.chat.add_member(&session.user, id, &body.username).await.map(Json)
}

async fn remove_member(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path((id, username)): Path<(i64, String)>,
) -> Result<StatusCode, AppError> {
    state.chat.remove_member(&session.user, id, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewScheduled {
    client_id: String,
    body: String,
    /// Milliseconds since the Unix epoch.
    send_at: i64,
}

async fn schedule(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
    Json(body): Json<NewScheduled>,
) -> Result<(StatusCode, Json<Scheduled>), AppError> {
    let (scheduled, created) =
        state.chat.schedule(&session.user, id, &body.client_id, &body.body, body.send_at).await?;
    Ok(created_or_found(created, scheduled))
}

async fn scheduled(State(state): State<AppState>, Reader(session): Reader) -> Result<Json<Vec<Scheduled>>, AppError> {
    state.chat.scheduled(&session.user).await.map(Json)
}

async fn cancel_scheduled(
    State(state): State<AppState>,
    Writer(session): Writer,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.chat.cancel_scheduled(&session.user, id).await.map(|()| StatusCode::NO_CONTENT)
}
