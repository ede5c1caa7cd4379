//! Typed configuration, layered: defaults ← `tidings.toml` ← `TIDINGS_*`
//! environment ← command-line flags.

use std::{net::SocketAddr, path::Path};

use app::rate_limit::Limit;
use serde::Deserialize;

use crate::cli::Overrides;
pub use crate::telemetry::LogFormat;

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub log_format: LogFormat,
    pub trust_proxy: bool,
    pub db_max_connections: u32,
    /// Sign-up and sign-in attempts per client IP.
    pub auth_rate: Limit,
    /// Messages per user.
    pub send_rate: Limit,
    /// Close WebSockets silent for this long (30 s).
    pub ws_idle_timeout: std::time::Duration,
    /// VAPID `sub` claim: a `mailto:` or `https:` URL push services can reach you at.
    pub vapid_subject: Option<String>,
    pub push: PushConfig,
    /// Several nodes: Redis for fan-out and presence (`None`: one node).
    pub redis_url: Option<String>,
    /// Prefix of this deployment's Redis keys and channel.
    pub redis_namespace: String,
    /// Async runtime threads (`None`: one per core).
    pub worker_threads: Option<usize>,
    /// This node's name on its job leases (`None`: host name and port), so
    /// a restarted node releases what it held at once.
    pub node_id: Option<String>,
    /// Where `/metrics` is served (`None`: nowhere); a private address.
    pub metrics_addr: Option<SocketAddr>,
    /// Usernames who may issue `notify:any` tokens.
    pub admins: Vec<String>,
    /// How long after sending its author may edit a message (24 h).
    pub edit_window_secs: u64,
    /// The scheduler's clock: the system's, or a test's manual one.
    pub clock: app::clock::Clock,
}

/// Web Push delivery settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// `TTL` header, in seconds: how long a push service keeps an undelivered push.
    pub ttl_secs: u64,
    /// Accept http and private-address endpoints. Development and tests only.
    pub allow_private: bool,
    /// Pushes sent at the same time (the job pool's concurrency).
    pub workers: usize,
    pub max_attempts: i64,
    pub retry_base_ms: u64,
    /// Requests in flight per push service.
    pub per_origin: usize,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            ttl_secs: 24 * 3600,
            allow_private: false,
            workers: 4,
            max_attempts: 8,
            retry_base_ms: 2000,
            per_origin: 64,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let addr: SocketAddr = ([127, 0, 0, 1], 3000).into();
        Self {
            addr,
            database_url: "sqlite://data/tidings.db".into(),
            // Empty means "derive from addr" (resolved in `load`).
            public_url: String::new(),
            log_format: LogFormat::Text,
            trust_proxy: false,
            db_max_connections: 16,
            auth_rate: Limit { burst: 10, per_minute: 10 },
            send_rate: Limit { burst: 30, per_minute: 120 },
            ws_idle_timeout: std::time::Duration::from_secs(30),
            vapid_subject: None,
            push: PushConfig::default(),
            redis_url: None,
            redis_namespace: "tidings".into(),
            worker_threads: None,
            node_id: None,
            metrics_addr: None,
            admins: Vec::new(),
            edit_window_secs: 24 * 60 * 60,
            clock: app::clock::Clock::system(),
        }
    }
}

/// The optional file layer; unknown keys are an error so typos surface.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    public_url: Option<String>,
    log_format: Option<LogFormat>,
    trust_proxy: Option<bool>,
    db_max_connections: Option<u32>,
    auth_rate: Option<Limit>,
    send_rate: Option<Limit>,
    vapid_subject: Option<String>,
    push: Option<PushConfig>,
    redis_url: Option<String>,
    redis_namespace: Option<String>,
    worker_threads: Option<usize>,
    node_id: Option<String>,
    metrics_addr: Option<SocketAddr>,
    admins: Option<Vec<String>>,
    edit_window_secs: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid config file {path}: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("invalid public URL {0:?}: it must start with http:// or https://")]
    PublicUrl(String),
    #[error("invalid VAPID subject {0:?}: it must be a mailto: or https: URL")]
    VapidSubject(String),
}

impl Config {
    /// Builds the config from the layers. `overrides` already merges env and flags (clap).
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let explicit = overrides.config.as_deref();
        let path = explicit.unwrap_or(Path::new("tidings.toml"));
        if explicit.is_some() || path.exists() {
            config.apply_file(path)?;
        }
        if let Some(v) = overrides.addr {
            config.addr = v;
        }
        if let Some(v) = &overrides.database_url {
            config.database_url = v.clone();
        }
        if let Some(v) = &overrides.public_url {
            config.public_url = v.clone();
        }
        if config.public_url.is_empty() {
            config.public_url = format!("http://{}", config.addr);
        }
        if let Some(v) = overrides.log_format {
            config.log_format = v;
        }
        if let Some(v) = overrides.trust_proxy {
            config.trust_proxy = v;
        }
        if let Some(v) = &overrides.vapid_subject {
            config.vapid_subject = Some(v.clone());
        }
        if let Some(v) = &overrides.redis_url {
            config.redis_url = Some(v.clone()).filter(|url| !url.is_empty());
        }
        if let Some(v) = overrides.push_ttl {
            config.push.ttl_secs = v;
        }
        if let Some(v) = overrides.push_allow_private {
            config.push.allow_private = v;
        }
        if let Some(v) = overrides.push_workers {
            config.push.workers = v;
        }
        if let Some(v) = overrides.worker_threads {
            config.worker_threads = Some(v).filter(|n| *n > 0);
        }
        if let Some(v) = &overrides.node_id {
            config.node_id = Some(v.clone()).filter(|id| !id.is_empty());
        }
        config.metrics_addr = overrides.metrics_addr.or(config.metrics_addr);
        if let Some(v) = overrides.edit_window_secs {
            config.edit_window_secs = v;
        }
        if let Some(v) = &overrides.admins {
            config.admins = v.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
        }
        config.public_url = config.public_url.trim_end_matches('/').to_owned();
        if !config.public_url.starts_with("http://") && !config.public_url.starts_with("https://") {
            return Err(ConfigError::PublicUrl(config.public_url));
        }
        if let Some(subject) = &config.vapid_subject
            && !subject.starts_with("mailto:")
            && !subject.starts_with("https://")
        {
            return Err(ConfigError::VapidSubject(subject.clone()));
        }
        Ok(config)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        let file: FileConfig = toml::from_str(&text).map_err(|source| ConfigError::Parse { path: shown, source })?;
        // The pattern lists every field (no `..`), so a new file key that is
        // not applied here fails to compile.
        macro_rules! apply {
            ($($field:ident),*) => {{
                let FileConfig { vapid_subject, redis_url, worker_threads, node_id, metrics_addr, $($field),* } = file;
                self.metrics_addr = metrics_addr.or(self.metrics_addr);
                self.vapid_subject = vapid_subject.or(self.vapid_subject.take());
                self.redis_url = redis_url.or(self.redis_url.take());
                self.worker_threads = worker_threads.or(self.worker_threads);
                self.node_id = node_id.or(self.node_id.take());
                $(if let Some(v) = $field { self.$field = v; })*
            }};
        }
        apply!(
            addr,
            database_url,
            public_url,
            log_format,
            trust_proxy,
            db_max_connections,
            auth_rate,
            send_rate,
            push,
            redis_namespace,
            admins,
            edit_window_secs
        );
        Ok(())
    }

    /// The VAPID subject: configured, else the public URL when it is https,
    /// else a mailto: address at the public host.
    pub fn vapid_subject(&self) -> String {
        if let Some(subject) = &self.vapid_subject {
            return subject.clone();
        }
        if self.public_url.starts_with("https://") {
            return self.public_url.clone();
        }
        let host =
            self.public_url.split("://").nth(1).unwrap_or("localhost").split([':', '/']).next().unwrap_or("localhost");
        format!("mailto:admin@{host}")
    }

    /// The name on this node's job leases: configured, else host and port.
    pub fn node_id(&self) -> String {
        self.node_id.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .or_else(|| std::env::var("HOSTNAME").ok())
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "node".into());
            format!("{host}:{}", self.addr.port())
        })
    }

    /// Cookies get `Secure` when people reach the server over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

mod redact;

pub use redact::redact_url;

#[cfg(test)]
mod tests;
