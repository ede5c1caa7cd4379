//! The versioned REST API under `/api/v1`: thin handlers over the domain
//! services in `app`, all errors as `{"error":{"code","message"}}`.

mod auth;
mod bots;
mod chat;
mod levels;
pub mod extract;
mod messages;
mod notify;
pub mod openapi;
pub mod ops;
mod push;
mod search;

use axum::Router;

use app::state::AppState;

/// Routes below `/api/v1`.
pub fn v1() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(bots::router())
        .merge(chat::router())
        .merge(push::router())
        .merge(levels::router())
        .merge(notify::router())
        .merge(messages::router())
        .merge(search::router())
        .route("/ws", axum::routing::get(crate::ws::upgrade))
        .route("/openapi.json", axum::routing::get(openapi::document))
}
