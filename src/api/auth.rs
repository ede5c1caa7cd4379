//! `/api/v1/auth/*` and `/api/v1/me`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use app::auth::User;
use app::auth::model::TokenInfo;
use app::auth::service::SESSION_COOKIE_MAX_AGE_S;
use app::auth::session::{clear_session_cookie, session_cookie};
use app::error::AppError;
use app::state::AppState;

use super::extract::{Auth, ClientIp, Json, Path};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/tokens", get(list_tokens).post(create_token))
        .route("/auth/tokens/{id}", delete(revoke_token))
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
    ClientIp(ip): ClientIp,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, AppError> {
    let signed_in = state.auth.login(ip, &body.username, &body.password).await?;
    let cookie = session_cookie(&signed_in.secret, state.settings.secure_cookies, SESSION_COOKIE_MAX_AGE_S);
    let body = LoginResponse { token: signed_in.secret, expires_at: signed_in.expires_at };
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(body)))
}

async fn logout(State(state): State<AppState>, Auth(session): Auth) -> Result<impl IntoResponse, AppError> {
    state.auth.logout(&session).await?;
    let cookie = clear_session_cookie(state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

async fn me(Auth(session): Auth) -> Json<User> {
    Json(session.user)
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
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
    Auth(session): Auth,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let (info, token) = state.auth.create_token(&session.user, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { info, token })))
}

async fn list_tokens(State(state): State<AppState>, Auth(session): Auth) -> Result<Json<Vec<TokenInfo>>, AppError> {
    state.auth.tokens(&session.user).await.map(Json)
}

async fn revoke_token(
    State(state): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.auth.revoke_token(&session.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
