//! Command-line interface. Every setting can also come from `TIDINGS_*`
//! environment variables or `tidings.toml`; flags win over both.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(name = "tidings", version, about = "Self-hosted chat that reaches you when the app is closed")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub overrides: Overrides,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the VAPID public key, generating the key pair if there is none.
    VapidKeys {
        /// Replace the key pair. Existing push subscriptions stop working and
        /// browsers must subscribe again.
        #[arg(long)]
        rotate: bool,
    },
}

/// Settings given on the command line or in the environment. `None` means
/// "not given here", so the config file and defaults apply.
#[derive(Debug, Default, Args)]
pub struct Overrides {
    /// Config file (TOML). Default: ./tidings.toml when it exists.
    #[arg(long, env = "TIDINGS_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "TIDINGS_ADDR", global = true)]
    pub addr: Option<SocketAddr>,
    /// sqlite://path or postgres://user@host/db.
    #[arg(long, env = "TIDINGS_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// The URL people open, e.g. https://chat.example.org.
    #[arg(long, env = "TIDINGS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// `text` or `json`.
    #[arg(long, env = "TIDINGS_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
    /// Take client IPs from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long, env = "TIDINGS_TRUST_PROXY", global = true, value_parser = parse_flag)]
    pub trust_proxy: Option<bool>,
    /// VAPID contact: mailto:you@example.org or https://example.org.
    #[arg(long, env = "TIDINGS_VAPID_SUBJECT", global = true)]
    pub vapid_subject: Option<String>,
    /// Seconds a push service keeps an undelivered push (TTL header).
    #[arg(long, env = "TIDINGS_PUSH_TTL", global = true)]
    pub push_ttl: Option<u64>,
    /// Accept http and private-network push endpoints (development and tests only).
    #[arg(long, env = "TIDINGS_PUSH_ALLOW_PRIVATE", global = true, value_parser = parse_flag)]
    pub push_allow_private: Option<bool>,
    /// redis://host:port for several server nodes (fan-out and presence); unset for one node.
    #[arg(long, env = "TIDINGS_REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Push delivery workers.
    #[arg(long, env = "TIDINGS_PUSH_WORKERS", global = true)]
    pub push_workers: Option<usize>,
    /// Async runtime threads (default: one per core).
    #[arg(long, env = "TIDINGS_WORKER_THREADS", global = true)]
    pub worker_threads: Option<usize>,
    /// This node's name on its job leases (default: host name and port).
    #[arg(long, env = "TIDINGS_NODE_ID", global = true)]
    pub node_id: Option<String>,
    /// Usernames of this server's admins, comma-separated: only they may
    /// issue `notify:any` tokens.
    #[arg(long, env = "TIDINGS_ADMINS", global = true, value_delimiter = ',')]
    pub admins: Option<Vec<String>>,
    /// How long after sending its author may edit a message, in seconds (default 86400).
    #[arg(long, env = "TIDINGS_EDIT_WINDOW_SECS", global = true)]
    pub edit_window_secs: Option<u64>,
    /// Serve `/metrics` on this address (default: not at all; never on the public port).
    #[arg(long, env = "TIDINGS_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,
}

/// Accepts 1/0, true/false, yes/no, on/off.
fn parse_flag(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        other => Err(format!("expected 1/0 or true/false, got {other:?}")),
    }
}
