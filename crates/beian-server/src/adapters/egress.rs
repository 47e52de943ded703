//! Where the server may send requests of its own (webhook deliveries). A URL an
//! admin types could point at the server's own machine or its private network
//! (SSRF): the metadata service of a cloud host, a database port, an admin
//! interface. Such addresses are refused unless the operator allows private
//! networks (`BEIAN_WEBHOOK_PRIVATE_NETWORKS=1`, for receivers on an intranet).
//! The check runs when the URL is registered and again on every delivery, on the
//! addresses the name resolves to then, so a name re-pointed later is caught too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Loopback, private, link-local, shared (CGNAT), unspecified, multicast,
/// documentation and reserved addresses: none of them is a public receiver.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible
}

/// Why a URL may not be called, or `None` when it may. `private_ok` is the
/// operator's allowance for intranet receivers.
pub async fn refusal(url: &reqwest::Url, private_ok: bool) -> Option<String> {
    if private_ok {
        return None;
    }
    let host = url.host_str()?;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => match tokio::net::lookup_host((host, port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(e) => return Some(format!("{host} 无法解析：{e}")),
        },
    };
    addrs
        .into_iter()
        .find(|ip| is_internal(*ip))
        .map(|ip| format!("{host} 指向内部地址 {ip}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told_from_public_ones() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["1.1.1.1", "203.119.1.1", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_url_on_loopback_is_refused_unless_private_networks_are_allowed() {
        let url = reqwest::Url::parse("http://127.0.0.1:9/hook").unwrap();
        assert!(refusal(&url, false).await.is_some());
        assert!(refusal(&url, true).await.is_none());
        let url = reqwest::Url::parse("http://localhost:9/hook").unwrap();
        assert!(
            refusal(&url, false).await.is_some(),
            "a name resolving to loopback"
        );
        let url = reqwest::Url::parse("http://[::1]:9/hook").unwrap();
        assert!(refusal(&url, false).await.is_some());
    }
}
