//! Process lifecycle: build the state, start background work, serve until a
//! shutdown signal, then stop everything in order.

use std::future::{Future, IntoFuture};
use std::{net::SocketAddr, time::Duration};

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use app::state::AppState;

use crate::config::Config;
use crate::ws::WsShutdown;
use crate::{router, telemetry};

/// Binds the configured address and serves until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    crate::site::check(&crate::site::leptos_options(&config))?;
    let listener =
        TcpListener::bind(config.addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr))?;
    launch(config, listener, shutdown_signal()).await
}

/// Serves on an already-bound listener until `shutdown` completes. Tests call
/// this with a port-0 listener.
pub async fn launch(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let db = app::db::connect(&config.database_url, config.db_max_connections, true).await?;
    let crate::services::Services { state, pool, writer, cluster } =
        crate::services::build(&config, db.clone()).await?;
    let vapid_public_key = state.push.public_key.clone();
    let stop = CancellationToken::new();
    let mut tasks = JoinSet::new();
    spawn_housekeeping(&mut tasks, &state, stop.clone());
    tasks.spawn(writer.run(stop.clone()));
    pool.spawn(&mut tasks, stop.clone()).await;
    app::chat::schedule::spawn(state.chat.clone(), &mut tasks, stop.clone());
    app::chat::stream::spawn(state.chat.clone(), &mut tasks, stop.clone());
    app::notify::scheduler::spawn(state.notify.clone(), &mut tasks, stop.clone());
    if let Some(cluster) = &cluster {
        cluster.spawn(&mut tasks, stop.clone());
    }

    if let Some(addr) = config.metrics_addr {
        spawn_metrics(&mut tasks, addr, stop.clone()).await?;
    }
    let ws_shutdown = WsShutdown::default();
    let app = router::router(state, ws_shutdown.clone());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = %config.public_url, backend = ?db.backend(), %vapid_public_key, "Tidings is listening");
    let signalled = CancellationToken::new();
    let draining = signalled.clone();
    let serving = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: draining open requests");
            // Upgraded sockets are not tracked by the graceful shutdown: close them.
            ws_shutdown.0.cancel();
            signalled.cancel();
        })
        .into_future();
    // A client that keeps a request open must not hold the process forever.
    let served = tokio::select! {
        served = serving => served,
        _ = async { draining.cancelled().await; tokio::time::sleep(DRAIN_LIMIT).await } => {
            tracing::warn!(limit = ?DRAIN_LIMIT, "requests still open after the drain limit; closing them");
            Ok(())
        }
    };

    stop.cancel();
    while tasks.join_next().await.is_some() {}
    if tokio::time::timeout(DRAIN_LIMIT, db.close()).await.is_err() {
        tracing::warn!("database connections still in use at exit");
    }
    tracing::info!("stopped");
    served.map_err(Into::into)
}

/// Serves `/metrics` on its own (private) address until `stop`.
async fn spawn_metrics(tasks: &mut JoinSet<()>, addr: SocketAddr, stop: CancellationToken) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {addr} for metrics: {e}"))?;
    tracing::info!(%addr, "metrics are served here");
    let app = crate::api::ops::metrics_router(telemetry::metrics_handle());
    tasks.spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
        if let Err(err) = served {
            tracing::warn!(%err, "metrics listener stopped");
        }
    });
    Ok(())
}

/// How long shutdown waits for open requests, then for database connections.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Periodic clean-up, owned by the server and stopped with it.
fn spawn_housekeeping(tasks: &mut JoinSet<()>, state: &AppState, stop: CancellationToken) {
    let state = state.clone();
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        let mut turns: u64 = 0;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    turns += 1;
                    close_ended_sockets(&state).await;
                    if let Ok(depths) = app::queue::store::depth_by_kind(&state.db).await {
                        for (kind, depth) in depths {
                            metrics::gauge!("tidings_jobs_pending", "kind" => kind).set(depth as f64);
                        }
                    }
                    if turns % 120 != 1 {
                        continue;
                    }
                    // Every ten minutes.
                    state.limits.retain_recent();
                    if let Err(err) = state.auth.prune_expired_sessions().await {
                        tracing::warn!(%err, "could not prune expired sessions");
                    }
                    if let Err(err) = app::queue::store::prune_finished(&state.db).await {
                        tracing::warn!(%err, "could not prune finished jobs");
                    }
                }
            }
        }
        tracing::debug!("housekeeping stopped");
    });
}

/// Sockets whose session or token ended (on any node: the database is the
/// truth) are closed, within one housekeeping tick of the sign-out.
async fn close_ended_sockets(state: &AppState) {
    let tokens = state.hub.tokens();
    if tokens.is_empty() {
        return;
    }
    match state.auth.ended(&tokens).await {
        Ok(ended) if !ended.is_empty() => {
            let closed = state.hub.revoke(&ended);
            tracing::debug!(closed, "closed sockets of ended sessions");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(%err, "could not check the sockets' sessions"),
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
