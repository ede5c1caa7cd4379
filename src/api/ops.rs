//! Operations endpoints: `/healthz` on the public port, and `/metrics` on
//! its own address (`TIDINGS_METRICS_ADDR`), which strangers cannot reach.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// The metrics listener's whole surface.
pub fn metrics_router(metrics: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || render_metrics(metrics.clone())))
}

/// 200 when the database answers, 503 otherwise. With several nodes it also
/// reports Redis; a Redis outage degrades fan-out but this node still serves,
/// so it does not turn the answer into a 503.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let redis = state.chat.broker.healthy().await.map(|ok| if ok { "ok" } else { "unreachable" });
    if redis == Some("unreachable") {
        tracing::warn!("health check: redis unreachable");
    }
    let (status, mut body) = match state.db.ping().await {
        Ok(()) => {
            let overall = if redis == Some("unreachable") { "degraded" } else { "ok" };
            (StatusCode::OK, serde_json::json!({"status": overall, "database": "ok"}))
        }
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({"status": "unavailable", "database": "unreachable"}))
        }
    };
    if let Some(redis) = redis {
        body["redis"] = redis.into();
    }
    (status, axum::Json(body))
}

async fn render_metrics(handle: PrometheusHandle) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
}
