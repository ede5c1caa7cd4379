//! Which addresses count as public: the only ones this server sends to
//! when someone else chose the URL (a push endpoint, a bot's webhook).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
}
