//! `GET /api/v1/ws`: the live connection. Authenticates (cookie or Bearer),
//! refuses cross-site upgrades, then hands the socket to `session`.

mod deliver;
mod resume;
mod session;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use tokio_util::sync::CancellationToken;

use app::error::AppError;
use app::live::hub::MAX_SOCKETS_PER_USER;
use app::state::AppState;

use crate::api::extract::Reader;

pub use session::{SessionConfig, run_session};

/// Small buffers keep an idle socket cheap; frames are small JSON.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;
const MAX_FRAME: usize = 64 * 1024;

/// Cancelled when the server shuts down, so sockets close with 1012.
#[derive(Clone, Default)]
pub struct WsShutdown(pub CancellationToken);

#[utoipa::path(
    get,
    path = "/api/v1/ws",
    tag = "live",
    description = "The live connection: JSON text frames (see the README). Needs `messages:read`.",
    responses(
        (status = 101, description = "switching to the WebSocket protocol"),
        (status = 401, description = "not signed in", body = app::error::ErrorBody),
        (status = 403, description = "cross-site, or the token lacks messages:read", body = app::error::ErrorBody),
        (status = 422, description = "too_many_sockets", body = app::error::ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub async fn upgrade(
    State(state): State<AppState>,
    axum::Extension(shutdown): axum::Extension<WsShutdown>,
    headers: HeaderMap,
    Reader(session): Reader,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    if !same_origin(&headers, &state.settings.public_url) {
        return Err(AppError::Forbidden("cross-site WebSocket refused".into()));
    }
    if state.hub.sockets_of(session.user.id) >= MAX_SOCKETS_PER_USER {
        return Err(AppError::invalid("too_many_sockets", format!("at most {MAX_SOCKETS_PER_USER} open connections")));
    }
    let config = SessionConfig { idle_timeout: state.settings.ws_idle_timeout, shutdown: shutdown.0 };
    Ok(ws
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| run_session(socket, state, session, config)))
}

/// Browsers always send `Origin` on WebSocket upgrades; other clients don't.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    crate::middleware::origin_matches(origin, headers, public_url)
}
