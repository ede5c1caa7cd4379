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
use app::error::AppError;
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

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct LoginResponse {
    token: String,
    expires_at: i64,
}

async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<Credentials>,
) -> Result<(StatusCode, Json<User>), AppError> {
    let user = state.auth.register(ip, &body.username, &body.password).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn login(
    State(state): State<AppState>,
    SigningIn(visitor): SigningIn,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, AppError> {
    let signed_in = state.auth.login(&visitor, &body.username, &body.password).await?;
    let cookie = session_cookie(&signed_in.secret, state.settings.secure_cookies, SESSION_COOKIE_MAX_AGE_S);
    let body = LoginResponse { token: signed_in.secret, expires_at: signed_in.expires_at };
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(body)))
}

async fn logout(State(state): State<AppState>, Caller(session): Caller) -> Result<impl IntoResponse, AppError> {
    state.auth.logout(&session).await?;
    let cookie = clear_session_cookie(state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

async fn me(Caller(session): Caller) -> Json<User> {
    Json(session.user)
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    /// What the token may do, e.g. `["messages:read", "messages:write"]`.
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Serialize)]
struct CreatedToken {
    #[serde(flatten)]
    info: TokenInfo,
    /// Shown once; only its hash is stored.
    token: String,
}

async fn create_token(
    State(state): State<AppState>,
    Person(session): Person,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let (info, token) = state.auth.create_token(&session, &body.name, &body.scopes).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { info, token })))
}

async fn list_tokens(State(state): State<AppState>, Person(session): Person) -> Result<Json<Vec<TokenInfo>>, AppError> {
    state.auth.tokens(&session).await.map(Json)
}

async fn revoke_token(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.auth.revoke_token(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sessions(
    State(state): State<AppState>,
    Person(session): Person,
) -> Result<Json<Vec<SessionInfo>>, AppError> {
    state.auth.sessions(&session).await.map(Json)
}

async fn end_session(
    State(state): State<AppState>,
    Person(session): Person,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.auth.end_session(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the password; every other session ends.
async fn change_password(
    State(state): State<AppState>,
    Person(session): Person,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, AppError> {
    state.auth.change_password(&session, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
