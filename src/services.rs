//! The one place where the domain modules are wired together: the push
//! step into the chat fan-out, the push handlers into the job queue, the
//! live broker (one node, or Redis) into chat. Everything else only sees
//! the services it is handed.

use std::sync::Arc;
use std::time::Duration;

use app::auth::service::Auth;
use app::bots::events::{BotMembers, BotStep};
use app::bots::service::Bots;
use app::bots::webhook::{self, WebhookHandler};
use app::chat::fanout::{Fanout, MemberStep, MessageStep, ReadStep};
use app::chat::service::Chat;
use app::chat::writer::{Writer, WriterTask};
use app::db::Db;
use app::live::cluster::{Broker, LocalBroker, LocalPresence, Presence};
use app::live::hub::Hub;
use app::live::members::MemberCache;
use app::live::redis::RedisCluster;
use app::notify::service::Notify;
use app::push::deliver::{self, PushHandler};
use app::push::dismiss::Dismisser;
use app::push::fanout::PushStep;
use app::push::jwt::VapidSigner;
use app::push::sender::{Sender, SenderConfig};
use app::push::service::PushService;
use app::queue::{Kinds, Pool, PoolConfig, Waker};
use app::rate_limit::RateLimits;
use app::state::{AppState, Settings};

use crate::config::Config;

/// The running services, and the background parts the server owns.
pub struct Services {
    pub state: AppState,
    pub pool: Arc<Pool>,
    pub writer: WriterTask,
    pub cluster: Option<Arc<RedisCluster>>,
}

pub async fn build(config: &Config, db: Db) -> anyhow::Result<Services> {
    let vapid = app::push::vapid::load_or_create(&db).await?;
    let limits = RateLimits::new(config.auth_rate, config.send_rate);
    let hub = Hub::new();
    let wake = Waker::default();
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
    let push_handler =
        Arc::new(PushHandler { db: db.clone(), sender, max_age: Duration::from_secs(config.push.ttl_secs) });
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
    let steps: Vec<Arc<dyn MessageStep>> = vec![
        Arc::new(PushStep { wake: wake.clone(), clock: config.clock.clone() }),
        Arc::new(BotStep { wake: wake.clone() }),
    ];
    let fanout = Fanout::new(steps);
    let (writer, writer_task) = Writer::new(db.clone(), fanout.clone(), broker.clone());
    // Reading a conversation or a notification closes its pushes elsewhere.
    let dismiss = Dismisser { db: db.clone(), wake: wake.clone() };
    let notify = Notify {
        db: db.clone(),
        broker: broker.clone(),
        presence: presence.clone(),
        wake: wake.clone(),
        clock: config.clock.clone(),
        dismiss: dismiss.clone(),
    };
    let read_steps: Vec<Arc<dyn ReadStep>> = vec![Arc::new(dismiss)];
    let webhooks = Arc::new(WebhookHandler {
        db: db.clone(),
        client: WebhookHandler::client(config.push.allow_private)?,
        allow_private: config.push.allow_private,
        clock: config.clock.clone(),
        notify: notify.clone(),
    });
    let kinds = Kinds::default()
        .with(deliver::MESSAGE, push_handler.clone())
        .with(deliver::TEST, push_handler.clone())
        .with(deliver::NOTIFICATION, push_handler.clone())
        .with(deliver::DISMISS, push_handler)
        .with(webhook::KIND, webhooks);
    let pool = Pool::new(db.clone(), kinds, pool_config(config), wake.clone());
    let member_steps: Vec<Arc<dyn MemberStep>> = vec![Arc::new(BotMembers { db: db.clone(), wake: wake.clone() })];
    let chat = Chat {
        db: db.clone(),
        broker,
        presence,
        limits: limits.clone(),
        members,
        writer,
        read_steps: read_steps.into(),
        member_steps: member_steps.into(),
        fanout,
        clock: config.clock.clone(),
        edit_window_ms: config.edit_window_secs.saturating_mul(1000).min(i64::MAX as u64) as i64,
    };
    let push = PushService {
        db: db.clone(),
        public_key: vapid.public_key_base64(),
        allow_private: config.push.allow_private,
        wake,
        limits: limits.clone(),
    };
    let state = AppState {
        leptos_options: crate::site::leptos_options(config),
        db: db.clone(),
        settings: Arc::new(Settings {
            public_url: config.public_url.clone(),
            secure_cookies: config.secure_cookies(),
            trust_proxy: config.trust_proxy,
            ws_idle_timeout: config.ws_idle_timeout,
        }),
        limits: limits.clone(),
        hub,
        auth: Auth {
            db: db.clone(),
            limits: limits.clone(),
            secure_cookies: config.secure_cookies(),
            admins: Arc::new(config.admins.clone()),
        },
        chat: chat.clone(),
        push,
        notify,
        bots: Bots {
            db: db.clone(),
            allow_private: config.push.allow_private,
            chat: chat.clone(),
            limits: limits.clone(),
            public_url: config.public_url.clone(),
        },
    };
    Ok(Services { state, pool, writer: writer_task, cluster })
}

fn pool_config(config: &Config) -> PoolConfig {
    let concurrency = config.push.workers.saturating_mul(16);
    PoolConfig {
        concurrency,
        // Longer than any send's timeout, so a lease only runs out when its
        // node is gone.
        lease: Duration::from_secs(60),
        max_attempts: config.push.max_attempts,
        retry_base: Duration::from_millis(config.push.retry_base_ms),
        retry_max: Duration::from_secs(3600),
        // A quarter of the slots always stays free for other destinations,
        // so one that hangs cannot hold them all.
        per_destination: (concurrency - concurrency / 4).clamp(1, config.push.per_origin.max(1)) as i64,
        node: config.node_id(),
    }
}
