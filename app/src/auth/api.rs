//! Server functions the UI calls for accounts. Thin: they resolve the
//! caller, apply the same rate limits as the REST API and call `service`.

use leptos::prelude::*;

use super::model::User;
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
    use crate::{auth::service, server_ctx};
    let state = server_ctx::state()?;
    server_ctx::fail_status(async {
        state.limits.auth.check(&server_ctx::client_ip()?)?;
        service::register(&state.db, &username, &password).await?;
        let user = sign_in(&state, &username, &password).await?;
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
        state.limits.auth.check(&server_ctx::client_ip()?)?;
        let user = sign_in(&state, &username, &password).await?;
        leptos_axum::redirect(safe_return_path(next.as_deref()));
        Ok(user)
    })
    .await
}

/// Ends the current session.
#[server(prefix = "/fn", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{auth::service, auth::session::clear_session_cookie, server_ctx};
    let state = server_ctx::state()?;
    if let Ok(session) = server_ctx::session().await {
        service::revoke(&state.db, session.token_id).await?;
    }
    server_ctx::set_cookie(clear_session_cookie(state.settings.secure_cookies));
    leptos_axum::redirect("/signin");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn sign_in(state: &crate::state::AppState, username: &str, password: &str) -> Result<User, AppError> {
    use crate::auth::{service, session::session_cookie};
    let (user, secret) = service::login(&state.db, username, password).await?;
    crate::server_ctx::set_cookie(session_cookie(
        &secret,
        state.settings.secure_cookies,
        service::SESSION_COOKIE_MAX_AGE_S,
    ));
    Ok(user)
}
