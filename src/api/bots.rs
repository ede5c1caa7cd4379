//! `/api/v1/bots/*`: thin handlers over the `Bots` service. Only a person
//! signed in manages bots; a token (a bot's own included) gets 403.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};

use app::bots::model::{Bot, BotChanges, BotCreated, BotToken, Hook, HookPost, NewBot, NewHook, WebhookDelivery};
use app::chat::Message;
use app::chat::service::Sent;
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{ClientIp, DeliveryFilter, Json, Path, Person, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bots", get(list).post(create))
        .route("/bots/{id}", get(show).patch(update).delete(remove))
        .route("/bots/{id}/token", post(rotate_token))
        .route("/bots/{id}/deliveries", get(deliveries))
        .route("/bots/{id}/hooks", get(hooks).post(create_hook))
        .route("/bots/{id}/hooks/{hook_id}", delete(revoke_hook))
        .route("/hooks/{secret}", post(post_via_hook))
}

#[utoipa::path(
    post,
    path = "/api/v1/bots",
    tag = "bots",
    request_body = NewBot,
    responses((status = 201, description = "the bot, with its token and signing secret (shown once)", body = BotCreated), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot make bots: sign in", body = ErrorBody), (status = 409, description = "the username is taken (username_taken), or too many bots (too_many_bots)", body = ErrorBody), (status = 422, description = "invalid username, display name, webhook URL or events", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Person(session): Person,
    Json(body): Json<NewBot>,
) -> Result<(StatusCode, Json<BotCreated>), AppError> {
    Ok((StatusCode::CREATED, Json(state.bots.create(&session, &body).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/bots",
    tag = "bots",
    responses((status = 200, description = "my bots", body = Vec<Bot>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn list(State(state): State<AppState>, Person(session): Person) -> Result<Json<Vec<Bot>>, AppError> {
    state.bots.list(&session).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/api/v1/bots/{id}",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    responses((status = 200, description = "the bot", body = Bot), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<Json<Bot>, AppError> {
    state.bots.get(&session, id).await.map(Json)
}

#[utoipa::path(
    patch,
    path = "/api/v1/bots/{id}",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    request_body = BotChanges,
    responses((status = 200, description = "the bot as it now is", body = Bot), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody), (status = 422, description = "invalid display name, webhook URL or events", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
    Json(body): Json<BotChanges>,
) -> Result<Json<Bot>, AppError> {
    state.bots.update(&session, id, &body).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/bots/{id}",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    responses((status = 204, description = "deleted, with its token and messages"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.bots.delete(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/bots/{id}/token",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    responses((status = 201, description = "the new token (shown once); the old one no longer works", body = BotToken), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn rotate_token(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<BotToken>), AppError> {
    Ok((StatusCode::CREATED, Json(state.bots.rotate_token(&session, id).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/bots/{id}/deliveries",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id"), DeliveryFilter),
    responses((status = 200, description = "the bot's webhook deliveries with that status, newest first", body = Vec<WebhookDelivery>), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody), (status = 422, description = "invalid status", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
    Query(filter): Query<DeliveryFilter>,
) -> Result<Json<Vec<WebhookDelivery>>, AppError> {
    state.bots.deliveries(&session, id, filter.status()).await.map(Json)
}

#[utoipa::path(
    post,
    path = "/api/v1/bots/{id}/hooks",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    request_body = NewHook,
    responses((status = 201, description = "the hook, with its secret url (shown once)", body = Hook), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a member of that conversation, or a token (sign in)", body = ErrorBody), (status = 404, description = "no such bot of mine, or no such conversation", body = ErrorBody), (status = 422, description = "the bot is not in that conversation (bot_not_member)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn create_hook(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
    Json(body): Json<NewHook>,
) -> Result<(StatusCode, Json<Hook>), AppError> {
    Ok((StatusCode::CREATED, Json(state.bots.create_hook(&session, id, &body).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/bots/{id}/hooks",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id")),
    responses((status = 200, description = "the bot's hooks (without their secret urls)", body = Vec<Hook>), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn hooks(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Hook>>, AppError> {
    state.bots.hooks(&session, id).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/bots/{id}/hooks/{hook_id}",
    tag = "bots",
    params(("id" = i64, Path, description = "the bot's id"), ("hook_id" = i64, Path, description = "the hook's id")),
    responses((status = 204, description = "revoked: its url no longer posts"), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a token cannot manage bots: sign in", body = ErrorBody), (status = 404, description = "no such bot of mine, or no such hook of it", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn revoke_hook(
    State(state): State<AppState>,
    Person(session): Person,
    Path((id, hook_id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    state.bots.revoke_hook(&session, id, hook_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/hooks/{secret}",
    tag = "bots",
    params(("secret" = String, Path, description = "the hook's secret, from its url")),
    request_body = HookPost,
    responses((status = 201, description = "posted as the bot", body = Message), (status = 200, description = "a repeated client_id: the original, nothing new", body = Message), (status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 403, description = "the bot is no longer in the conversation", body = ErrorBody), (status = 404, description = "no such hook (revoked, or a wrong secret)", body = ErrorBody), (status = 422, description = "no text, too long, or a bad client_id", body = ErrorBody), (status = 429, description = "too many posts; see Retry-After", body = ErrorBody)),
    security(())
)]
pub(super) async fn post_via_hook(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(secret): Path<String>,
    Json(body): Json<HookPost>,
) -> Result<(StatusCode, Json<Message>), AppError> {
    let (message, sent) = state.bots.post_via_hook(ip, &secret, &body).await?;
    Ok((if sent == Sent::Created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}
