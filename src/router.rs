//! The whole HTTP surface in one function, so tests drive the real router.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::sync::OnceLock;

use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::trace::TraceLayer;

use app::state::AppState;

use crate::security::{self, CspNonce};
use crate::ws::WsShutdown;
use crate::{api, middleware};

/// The app's page routes, listed once per process: listing them runs the app
/// with resource loading switched off process-wide, so a second listing (a
/// second server in one process, as in the tests) would starve pages being
/// rendered at that moment and leave their streams open forever.
fn page_routes() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App))
}

/// Builds the router: REST API, operations endpoints, Leptos pages, server
/// functions and static files.
pub fn router(state: AppState, ws_shutdown: WsShutdown) -> Router {
    let routes = page_routes().to_vec();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .nest("/api/v1", api::v1().fallback(api_not_found))
        .merge(api::ops::router())
        .merge(crate::pwa::PwaFiles::load(&state.leptos_options.site_root, &state.leptos_options.site_pkg_dir).router())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || {
                    leptos::context::provide_context(state.clone());
                    provide_csp_nonce();
                }
            },
            move || app::shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_csp_nonce, app::shell))
        .layer(from_fn_with_state(state.clone(), middleware::route_by_session))
        .layer(compression())
        .layer(from_fn(middleware::limit_body))
        .layer(from_fn_with_state(state.clone(), middleware::csrf_guard))
        .layer(from_fn(middleware::track_metrics))
        .layer(axum::Extension(ws_shutdown))
        .layer(from_fn_with_state(state.clone(), security::security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The page's scripts carry the nonce its policy names (the security layer
/// chose it for this request).
fn provide_csp_nonce() {
    let parts = leptos::context::use_context::<http::request::Parts>();
    if let Some(CspNonce(nonce)) = parts.as_ref().and_then(|p| p.extensions.get::<CspNonce>()) {
        leptos::context::provide_context(leptos::nonce::Nonce::from_value(nonce.clone()));
    }
}

/// gzip or brotli for clients that accept it: the WASM bundle is about a
/// third of its size compressed. Images are already compressed and a
/// WebSocket upgrade has no body to compress.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotAnUpgrade))
}

#[derive(Clone, Copy)]
struct NotAnUpgrade;

impl Predicate for NotAnUpgrade {
    fn should_compress<B: http_body::Body>(&self, response: &http::Response<B>) -> bool {
        response.status() != http::StatusCode::SWITCHING_PROTOCOLS
    }
}

async fn api_not_found() -> app::error::AppError {
    app::error::AppError::NotFound("API route".into())
}
