//! Requests this server makes to URLs that someone else chose (a browser's
//! push endpoint, a bot's webhook), made safe once for every kind: no
//! redirects, no proxy from the environment, timeouts, and (unless allowed
//! for development) only public addresses, checked when the URL is given
//! and again at connect time, so a name cannot be re-pointed inside.

mod address;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::HeaderValue;
use url::{Host, Url};

pub use address::is_public;

/// The longest `Retry-After` taken from anyone: a hostile value can neither
/// keep a job waiting for years nor overflow a timestamp.
pub const MAX_RETRY_AFTER_SECS: u64 = 24 * 3600;

/// URLs longer than this are refused.
pub const URL_MAX: usize = 2048;

/// rustls needs a process-wide crypto provider before any HTTP client is
/// built; ring is already our crypto library. Repeated calls are no-ops.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// How a client for outside URLs is built.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Permit plain http and private addresses (development and tests).
    pub allow_private: bool,
    /// The whole request, connect to last byte.
    pub timeout: Duration,
    /// Root certificates (DER) trusted besides the system's.
    pub extra_roots: Vec<Vec<u8>>,
}

/// A pooled client that follows no redirect and reaches only public addresses.
pub fn client(options: &ClientOptions) -> Result<reqwest::Client, reqwest::Error> {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would see every URL and could reach
        // what the public-only resolver refuses.
        .no_proxy()
        .timeout(options.timeout)
        .connect_timeout(Duration::from_secs(5).min(options.timeout))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!("Tidings/", env!("CARGO_PKG_VERSION")));
    if !options.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    let roots =
        options.extra_roots.iter().map(|der| reqwest::Certificate::from_der(der)).collect::<Result<Vec<_>, _>>()?;
    if !roots.is_empty() {
        builder = builder.tls_certs_merge(roots);
    }
    builder.build()
}

/// What is wrong with a URL given to send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    TooLong,
    NotUrl,
    NotHttps,
    Credentials,
    NoHost,
    Unresolvable,
    Private,
    /// Not on the one port allowed.
    Port(u16),
}

impl UrlProblem {
    /// For people: what to fix.
    pub fn message(self, what: &str) -> String {
        match self {
            Self::TooLong => format!("the {what} URL is longer than {URL_MAX} characters"),
            Self::NotUrl => format!("the {what} is not a URL"),
            Self::NotHttps => format!("the {what} must use https"),
            Self::Credentials => format!("the {what} must not carry credentials"),
            Self::NoHost => format!("the {what} has no host"),
            Self::Unresolvable => format!("the {what}'s host name does not resolve"),
            Self::Private => format!("the {what} must resolve only to public addresses"),
            Self::Port(port) => format!("the {what} must use port {port}"),
        }
    }
}

/// Parses and checks a URL to send to: https, no credentials, and every
/// address it resolves to public (with `allow_private`, http and private
/// addresses pass: development and tests). `port`, if given, is the only one.
pub async fn check_url(value: &str, allow_private: bool, port: Option<u16>) -> Result<Url, UrlProblem> {
    if value.len() > URL_MAX {
        return Err(UrlProblem::TooLong);
    }
    let url = Url::parse(value).map_err(|_| UrlProblem::NotUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(UrlProblem::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    if allow_private {
        return Ok(url);
    }
    let host = url.host().ok_or(UrlProblem::NoHost)?;
    let addresses: Vec<IpAddr> = match host {
        Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        Host::Domain(name) => tokio::net::lookup_host((name, url.port_or_known_default().unwrap_or(443)))
            .await
            .map_err(|_| UrlProblem::Unresolvable)?
            .map(|addr| addr.ip())
            .collect(),
    };
    if addresses.is_empty() || !addresses.iter().all(|ip| is_public(*ip)) {
        return Err(UrlProblem::Private);
    }
    if let Some(port) = port
        && url.port_or_known_default() != Some(port)
    {
        return Err(UrlProblem::Port(port));
    }
    Ok(url)
}

/// A URL whose host is a literal private address (checked again at send
/// time: the resolver only sees names).
pub fn literal_private(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => !is_public(ip.into()),
        Some(Host::Ipv6(ip)) => !is_public(ip.into()),
        Some(Host::Domain(_)) => false,
        None => true,
    }
}

/// `Retry-After` in seconds, capped at [`MAX_RETRY_AFTER_SECS`]. (The
/// HTTP-date form is not used by push services or webhook receivers we know.)
pub fn retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs.min(MAX_RETRY_AFTER_SECS)))
}

/// An error with its causes, for a job's `last_error`. Call it on
/// `err.without_url()`: a URL can be a bearer capability.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// DNS that only returns public addresses, checked at connect time so a
/// name cannot be re-pointed at the server's own network after validation.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                return Err(format!("{} resolves to no public address", name.as_str()).into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn urls_must_be_https_on_public_addresses() {
        assert_eq!(check_url("http://hooks.example.com/x", false, None).await, Err(UrlProblem::NotHttps));
        assert_eq!(check_url("https://127.0.0.1/x", false, None).await, Err(UrlProblem::Private));
        assert_eq!(check_url("https://[::1]/x", false, None).await, Err(UrlProblem::Private));
        assert_eq!(check_url("https://localhost/x", false, None).await, Err(UrlProblem::Private));
        assert_eq!(check_url("https://u:p@8.8.8.8/x", false, None).await, Err(UrlProblem::Credentials));
        assert_eq!(check_url("not a url", false, None).await, Err(UrlProblem::NotUrl));
        assert_eq!(check_url("https://8.8.8.8:8443/x", false, Some(443)).await, Err(UrlProblem::Port(443)));
        assert!(check_url("https://8.8.8.8:8443/x", false, None).await.is_ok());
        assert!(check_url("http://127.0.0.1:9000/x", true, None).await.is_ok());
    }

    #[test]
    fn retry_after_is_capped() {
        assert_eq!(retry_after(Some(&HeaderValue::from_static("7"))), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after(Some(&HeaderValue::from_static("999999999999"))),
            Some(Duration::from_secs(MAX_RETRY_AFTER_SECS))
        );
        assert_eq!(retry_after(Some(&HeaderValue::from_static("soon"))), None);
        assert_eq!(retry_after(None), None);
    }
}
