//! `/api/v1/auth/*` and `/api/v1/me`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use app::auth::User;
use app::auth::model::{SessionInfo, TokenInfo};
use app::auth::service::SESSION_COOKIE_MAX_AGE_S;
use app::auth::session::{clear_session_cookie, session_cookie};
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{Caller, ClientIp, Json, Path, Person, SigningIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/tokens", get(list_tokens).post(create_token))
        .route("/auth/tokens/{id}", delete(revoke_token))
        .route("/auth/sessions", get(list_sessions))
        .route("/auth/sessions/{id}", delete(end_session))
        .route("/auth/password", post(change_password))
        .route("/me", get(me))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct LoginResponse {
    token: String,
    expires_at: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    request_body = Credentials,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "the account", body = User), (status = 409, description = "username_taken", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody), (status = 429, description = "too many attempts; see Retry-After", body = ErrorBody)),
    security(())
)]
pub(super) async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<Credentials>,
) -> Result<(StatusCode, Json<User>), AppError> {
    let user = state.auth.register(ip, &body.username, &body.password).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = Credentials,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "a session token; also set as the session cookie", body = LoginResponse), (status = 401, description = "bad_credentials", body = ErrorBody), (status = 429, description = "too many attempts; see Retry-After", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(())
)]
pub(super) async fn login(
    State(state): State<AppState>,
    SigningIn(visitor): SigningIn,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, AppError> {
    let signed_in = state.auth.login(&visitor, &body.username, &body.password).await?;
    let cookie = session_cookie(&signed_in.secret, state.settings.secure_cookies, SESSION_COOKIE_MAX_AGE_S);
    let body = LoginResponse { token: signed_in.secret, expires_at: signed_in.expires_at };
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(body)))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    responses((status = 204, description = "the session or token is revoked"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = []))
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    Caller(session): Caller,
) -> Result<impl IntoResponse, AppError> {
    state.auth.logout(&session).await?;
    let cookie = clear_session_cookie(state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses((status = 200, description = "who I am", body = User), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = []))
)]
pub(super) async fn me(Caller(session): Caller) -> Json<User> {
    Json(session.user)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct NewToken {
    name: String,
    /// What the token may do, e.g. `["messages:read", "messages:write"]`.
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct CreatedToken {
    #[serde(flatten)]
    info: TokenInfo,
    /// Shown once; only its hash is stored.
    token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/tokens",
    tag = "auth",
    request_body = NewToken,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 201, description = "the token; its secret is shown once", body = CreatedToken), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn create_token(
    State(state): State<AppState>,
    Person(session): Person,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let (info, token) = state.auth.create_token(&session, &body.name, &body.scopes).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { info, token })))
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/tokens",
    tag = "auth",
    responses((status = 200, description = "my personal tokens", body = Vec<TokenInfo>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn list_tokens(
    State(state): State<AppState>,
    Person(session): Person,
) -> Result<Json<Vec<TokenInfo>>, AppError> {
    state.auth.tokens(&session).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/auth/tokens/{id}",
    tag = "auth",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "revoked"), (status = 404, description = "not my token", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.auth.revoke_token(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/sessions",
    tag = "auth",
    responses((status = 200, description = "my signed-in sessions", body = Vec<SessionInfo>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn list_sessions(
    State(state): State<AppState>,
    Person(session): Person,
) -> Result<Json<Vec<SessionInfo>>, AppError> {
    state.auth.sessions(&session).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/{id}",
    tag = "auth",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "ended"), (status = 404, description = "not my session", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn end_session(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.auth.end_session(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the password; every other session ends.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "auth",
    request_body = PasswordChange,
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 204, description = "changed; every other session ended"), (status = 429, description = "too many attempts", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["session"]))
)]
pub(super) async fn change_password(
    State(state): State<AppState>,
    Person(session): Person,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, AppError> {
    state.auth.change_password(&session, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
