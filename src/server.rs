//! Process lifecycle: build the state, start background work, serve until a
//! shutdown signal, then stop everything in order.

use std::future::{Future, IntoFuture};
use std::{net::SocketAddr, sync::Arc, time::Duration};

use leptos::config::LeptosOptions;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use app::chat::cluster::{Broker, LocalBroker, LocalPresence, Presence};
use app::chat::hub::Hub;
use app::chat::members::MemberCache;
use app::chat::redis::RedisCluster;
use app::chat::service::Chat;
use app::push::jwt::VapidSigner;
use app::push::sender::{Sender, SenderConfig};
use app::push::service::PushService;
use app::push::worker::{Queue, QueueConfig};
use app::rate_limit::RateLimits;
use app::state::{AppState, Settings};

use crate::config::Config;
use crate::ws::WsShutdown;
use crate::{router, telemetry};

/// Binds the configured address and serves until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    crate::site::check(&leptos_options(&config))?;
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
    let vapid = app::push::vapid::load_or_create(&db).await?;
    let limits = RateLimits::new(config.auth_rate, config.send_rate);
    let hub = Hub::new();
    let push_wake = Arc::new(tokio::sync::Notify::new());
    let sender = Arc::new(Sender::new(
        VapidSigner::new(vapid.clone(), config.vapid_subject()),
        SenderConfig {
            ttl: Duration::from_secs(config.push.ttl_secs),
            allow_private: config.push.allow_private,
            per_origin: config.push.per_origin,
            extra_roots: Vec::new(),
        },
    )?);
    if config.push.allow_private {
        tracing::warn!(
            "TIDINGS_PUSH_ALLOW_PRIVATE is on: push endpoints may be http or private addresses (development only)"
        );
    }
    let queue = Queue::new(
        db.clone(),
        sender,
        QueueConfig {
            workers: config.push.workers,
            batch: 32,
            lease: Duration::from_secs(60),
            max_attempts: config.push.max_attempts,
            max_age: Duration::from_secs(config.push.ttl_secs),
            retry_base: Duration::from_millis(config.push.retry_base_ms),
            retry_max: Duration::from_secs(3600),
        },
        push_wake.clone(),
    );
    let members = MemberCache::default();
    let cluster = match &config.redis_url {
        Some(url) => {
            let cluster = RedisCluster::connect(url, &config.redis_namespace, hub.clone(), members.clone())
                .await
                .map_err(|e| anyhow::anyhow!("cannot connect to Redis at {}: {e}", crate::config::redact_url(url)))?;
            tracing::info!(node = cluster.node_id(), "several nodes: fan-out and presence through Redis");
            Some(cluster)
        }
        None => None,
    };
    let (broker, presence): (Arc<dyn Broker>, Arc<dyn Presence>) = match &cluster {
        Some(cluster) => (cluster.clone(), cluster.clone()),
        None => (Arc::new(LocalBroker(hub.clone())), Arc::new(LocalPresence(hub.clone()))),
    };
    let chat = Chat { db: db.clone(), broker, presence, limits: limits.clone(), members, push_wake: push_wake.clone() };
    let push = PushService {
        db: db.clone(),
        public_key: vapid.public_key_base64(),
        allow_private: config.push.allow_private,
        wake: push_wake,
    };
    let state = AppState {
        leptos_options: leptos_options(&config),
        db: db.clone(),
        settings: Arc::new(Settings {
            public_url: config.public_url.clone(),
            secure_cookies: config.secure_cookies(),
            trust_proxy: config.trust_proxy,
            ws_idle_timeout: config.ws_idle_timeout,
        }),
        limits,
        hub,
        chat,
        push,
    };
    let stop = CancellationToken::new();
    let mut tasks = JoinSet::new();
    spawn_housekeeping(&mut tasks, &state, stop.clone());
    queue.spawn(&mut tasks, stop.clone());
    app::chat::schedule::spawn(state.chat.clone(), &mut tasks, stop.clone());
    if let Some(cluster) = &cluster {
        cluster.spawn(&mut tasks, stop.clone());
    }

    let ws_shutdown = WsShutdown::default();
    let app = router::router(state, telemetry::metrics_handle(), ws_shutdown.clone());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = %config.public_url, backend = ?db.backend(), vapid_public_key = %vapid.public_key_base64(), "Tidings is listening");
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

/// How long shutdown waits for open requests, then for database connections.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Options for rendering and static files: cargo-leptos' `LEPTOS_*`
/// variables when present, else the defaults of this repository's layout,
/// so the release binary runs from the repo root with no environment.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    match leptos::config::get_configuration(None) {
        Ok(conf) => {
            let mut options = conf.leptos_options;
            options.site_addr = config.addr;
            if options.output_name.is_empty() {
                options.output_name = crate::site::OUTPUT_NAME.into();
            }
            options
        }
        Err(_) => LeptosOptions::builder()
            .output_name(crate::site::OUTPUT_NAME)
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .site_addr(config.addr)
            .build(),
    }
}

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
                    if let Ok(depth) = app::push::store::queue_depth(&state.db).await {
                        metrics::gauge!("tidings_push_queue_depth").set(depth as f64);
                    }
                    if turns % 120 != 1 {
                        continue;
                    }
                    // Every ten minutes.
                    state.limits.retain_recent();
                    if let Err(err) = app::auth::service::prune_expired_sessions(&state.db).await {
                        tracing::warn!(%err, "could not prune expired sessions");
                    }
                    if let Err(err) = app::push::store::prune_finished(&state.db).await {
                        tracing::warn!(%err, "could not prune finished push jobs");
                    }
                }
            }
        }
        tracing::debug!("housekeeping stopped");
    });
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
