//! Checks on what browsers send when subscribing, and the rule that pushes
//! only go to public addresses (so a subscription cannot aim the server at
//! its own network).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use url::{Host, Url};

use super::encrypt::is_valid_p256_point;
use crate::error::AppError;

const ENDPOINT_MAX: usize = 2048;

/// A checked subscription endpoint and keys.
#[derive(Debug, Clone)]
pub struct ValidSubscription {
    pub endpoint: Url,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
}

/// Decodes base64url with or without padding (browsers differ).
pub fn decode_b64(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).or_else(|_| URL_SAFE.decode(value)).ok()
}

/// Parses and checks the endpoint and keys. With `allow_private`, plain
/// http and private addresses are accepted (development and tests only).
pub async fn validate(
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    allow_private: bool,
) -> Result<ValidSubscription, AppError> {
    let endpoint = check_endpoint(endpoint, allow_private).await?;
    let p256dh = decode_b64(p256dh).filter(|k| is_valid_p256_point(k)).ok_or_else(|| {
        AppError::invalid("invalid_p256dh", "keys.p256dh must be an uncompressed P-256 point (65 bytes, base64url)")
    })?;
    let auth = decode_b64(auth)
        .filter(|a| a.len() == 16)
        .ok_or_else(|| AppError::invalid("invalid_auth", "keys.auth must be 16 bytes, base64url"))?;
    Ok(ValidSubscription { endpoint, p256dh, auth })
}

async fn check_endpoint(endpoint: &str, allow_private: bool) -> Result<Url, AppError> {
    let invalid = |msg: &str| AppError::invalid("invalid_endpoint", msg);
    if endpoint.len() > ENDPOINT_MAX {
        return Err(invalid("the endpoint URL is too long"));
    }
    let url = Url::parse(endpoint).map_err(|_| invalid("the endpoint is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("the endpoint must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the endpoint must not carry credentials"));
    }
    if allow_private {
        return Ok(url);
    }
    let host = url.host().ok_or_else(|| invalid("the endpoint has no host"))?;
    let addresses: Vec<IpAddr> = match host {
        Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        Host::Domain(name) => tokio::net::lookup_host((name, url.port_or_known_default().unwrap_or(443)))
            .await
            .map_err(|_| AppError::invalid("unresolvable_endpoint", "the endpoint's host name does not resolve"))?
            .map(|addr| addr.ip())
            .collect(),
    };
    if addresses.is_empty() || !addresses.iter().all(|ip| is_public(*ip)) {
        return Err(AppError::invalid("private_endpoint", "the endpoint must resolve only to public addresses"));
    }
    // Push services listen on 443; any other port is someone's other service.
    if url.port_or_known_default() != Some(443) {
        return Err(invalid("the endpoint must use port 443"));
    }
    Ok(url)
}

/// True for globally routable unicast addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking 198.18.0.0/15
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    // v4-mapped (::ffff:a.b.c.d) and v4-compatible forms can smuggle private
    // v4 addresses; push services do not use them, so refuse them all.
    if ip.to_ipv4_mapped().is_some() || ip.segments()[..6] == [0; 6] {
        return false;
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site local fec0::/10 (deprecated, still routed inside some networks)
        || first == 0x2002 // 6to4 2002::/16 embeds any v4 address
        || (first == 0x0064 && ip.segments()[1] == 0xff9b && ip.segments()[2..6] == [0; 4]) // NAT64 64:ff9b::/96
        || (first == 0x0064 && ip.segments()[1] == 0xff9b && ip.segments()[2] == 1) // local NAT64 64:ff9b:1::/48
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)) // documentation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::",
            "224.0.0.1",
            "2001:db8::1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
            "fec0::1",
            "feff::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should not be public");
        }
        for ip in ["8.8.8.8", "142.250.74.10", "2607:f8b0:4004:c1b::5f", "100.128.0.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[tokio::test]
    async fn endpoints_must_be_https_on_public_addresses() {
        let code = |r: Result<Url, AppError>| r.unwrap_err().code().to_owned();
        assert_eq!(code(check_endpoint("http://push.example.com/x", false).await), "invalid_endpoint");
        assert_eq!(code(check_endpoint("https://127.0.0.1/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://[::1]/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://10.0.0.8:8443/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("https://localhost/x", false).await), "private_endpoint");
        assert_eq!(code(check_endpoint("not a url", false).await), "invalid_endpoint");
        assert!(check_endpoint("https://8.8.8.8/push/abc", false).await.is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/push", true).await.is_ok());
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(decode_b64("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_b64("AQI").unwrap(), vec![1, 2]);
        assert_eq!(decode_b64("AQI=").unwrap(), vec![1, 2]);
        assert!(decode_b64("***").is_none());
    }

    #[tokio::test]
    async fn push_endpoints_are_on_port_443_only() {
        assert!(check_endpoint("https://8.8.8.8/push/x", false).await.is_ok());
        assert!(check_endpoint("https://8.8.8.8:443/push/x", false).await.is_ok());
        let err = check_endpoint("https://8.8.8.8:8443/push/x", false).await.unwrap_err();
        assert_eq!(err.code(), "invalid_endpoint");
        assert!(check_endpoint("https://8.8.8.8:6379/", false).await.is_err());
        assert!(check_endpoint("http://127.0.0.1:8080/push/x", true).await.is_ok(), "tests and development");
    }
}
