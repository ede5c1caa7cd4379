//! The config as logs show it: credentials in URLs replaced by `***`.

use std::fmt;

use super::Config;

/// Redacts credentials in the database URL.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("trust_proxy", &self.trust_proxy)
            .field("db_max_connections", &self.db_max_connections)
            .field("auth_rate", &self.auth_rate)
            .field("send_rate", &self.send_rate)
            .field("ws_idle_timeout", &self.ws_idle_timeout)
            .field("vapid_subject", &self.vapid_subject)
            .field("push", &self.push)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_namespace", &self.redis_namespace)
            .field("worker_threads", &self.worker_threads)
            .field("node_id", &self.node_id)
            .field("metrics_addr", &self.metrics_addr)
            .field("admins", &self.admins)
            .field("edit_window_secs", &self.edit_window_secs)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}
