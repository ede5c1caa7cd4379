//! Shared server state, injected into REST handlers (axum `State`) and server
//! functions (Leptos context).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::service::Auth;
use crate::bots::service::Bots;
use crate::chat::service::Chat;
use crate::db::Db;
use crate::live::hub::Hub;
use crate::notify::service::Notify;
use crate::push::service::PushService;
use crate::rate_limit::RateLimits;

/// Settings the domain needs at request time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public base URL, e.g. `https://chat.example.org`.
    pub public_url: String,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Honour `X-Forwarded-For` from a reverse proxy for client IPs.
    pub trust_proxy: bool,
    /// A WebSocket that sends nothing (not even a pong) for this long is closed.
    pub ws_idle_timeout: std::time::Duration,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub limits: RateLimits,
    /// This node's live sockets.
    pub hub: Hub,
    pub auth: Auth,
    pub chat: Chat,
    pub push: PushService,
    pub notify: Notify,
    pub bots: Bots,
}
