//! Server functions the UI calls for accounts. Thin: they resolve the
//! caller and call the `Auth` service, as the REST API does.

use leptos::prelude::*;

use super::model::{SessionInfo, User};
use crate::error::AppError;

/// The signed-in user, or `None`.
#[server(prefix = "/fn", endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    use crate::server_ctx;
    match server_ctx::session().await {
        Ok(session) => Ok(Some(session.user)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Creates an account and signs it in.
#[server(prefix = "/fn", endpoint = "auth/register")]
pub async fn register(username: String, password: String) -> Result<User, AppError> {
    use crate::server_ctx;
    let state = server_ctx::state()?;
    server_ctx::fail_status(async {
        let signed_in = state.auth.sign_up(&server_ctx::visitor()?, &username, &password).await?;
        let user = set_session(&state, signed_in);
        leptos_axum::redirect("/");
        Ok(user)
    })
    .await
}

/// Signs in with a username and password (sets the session cookie), then
/// goes to `next` if it is a page of this site, else to `/`.
#[server(prefix = "/fn", endpoint = "auth/login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<User, AppError> {
    use crate::{auth::return_to::safe_return_path, server_ctx};
    let state = server_ctx::state()?;
    server_ctx::fail_status(async {
        let signed_in = state.auth.login(&server_ctx::visitor()?, &username, &password).await?;
        let user = set_session(&state, signed_in);
        leptos_axum::redirect(safe_return_path(next.as_deref()));
        Ok(user)
    })
    .await
}

/// Ends the current session.
#[server(prefix = "/fn", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{auth::session::clear_session_cookie, server_ctx};
    let state = server_ctx::state()?;
    if let Ok(session) = server_ctx::session().await {
        state.auth.logout(&session).await?;
    }
    server_ctx::set_cookie(clear_session_cookie(state.settings.secure_cookies));
    leptos_axum::redirect("/signin");
    Ok(())
}

/// My signed-in sessions (the settings' list).
#[server(prefix = "/fn", endpoint = "auth/sessions")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.auth.sessions(&session).await
    })
    .await
}

/// Ends one of my other sessions.
#[server(prefix = "/fn", endpoint = "auth/end_session")]
pub async fn end_session(id: i64) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.auth.end_session(&session, id).await
    })
    .await
}

/// Changes my password; every other session ends.
#[server(prefix = "/fn", endpoint = "auth/password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::server_ctx;
    server_ctx::fail_status(async {
        let session = server_ctx::session().await?;
        server_ctx::state()?.auth.change_password(&session, &current_password, &new_password).await
    })
    .await
}

/// Puts a new session in the response's cookie.
#[cfg(feature = "ssr")]
fn set_session(state: &crate::state::AppState, signed_in: crate::auth::service::SignedIn) -> User {
    use crate::auth::{service::SESSION_COOKIE_MAX_AGE_S, session::session_cookie};
    let cookie = session_cookie(&signed_in.secret, state.settings.secure_cookies, SESSION_COOKIE_MAX_AGE_S);
    crate::server_ctx::set_cookie(cookie);
    signed_in.user
}
