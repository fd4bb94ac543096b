//! The client's address: the peer's, or, when the peer is a trusted proxy (`--trusted-proxy`),
//! the address that proxy forwards in `X-Forwarded-For`. The header is read from the right:
//! each trusted proxy appends the address it received from, so the rightmost entry that is not
//! one of our proxies is the first hop we cannot vouch for, the client as far as we know.
//! Entries to its left were written by the client itself and are never used. From a peer that
//! is not a trusted proxy the header is ignored, so nobody can pick the address that the
//! sign-in limits and access rules see.

use std::net::IpAddr;

use ipnet::IpNet;
use poem::http::header::HeaderMap;

/// The forwarding header read from trusted proxies.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The proxies whose forwarded client address is believed (`--trusted-proxy`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

impl TrustedProxies {
    /// These address blocks (a plain address is a /32 or /128).
    pub fn new(blocks: Vec<IpNet>) -> Self {
        Self(blocks)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The blocks, as given.
    pub fn blocks(&self) -> &[IpNet] {
        &self.0
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|block| block.contains(&address))
    }

    /// The client's address for a request from `peer` with these headers (see the module
    /// documentation). `None` only when the transport has no peer address.
    pub fn client_of(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.contains(peer) {
            return Some(peer);
        }
        // Every X-Forwarded-For line, in order, as one list of hops (left: farthest).
        let hops: Vec<&str> = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(address) = parse_hop(hop) else {
                // Unreadable: the nearest hop we could read is the best we know.
                break;
            };
            client = canonical(address);
            if !self.contains(client) {
                break;
            }
        }
        Some(client)
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn proxies(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(blocks.iter().map(|block| block.parse().unwrap()).collect())
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(FORWARDED_FOR, HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    fn client(trusted: &TrustedProxies, peer: &str, lines: &[&str]) -> String {
        trusted
            .client_of(Some(peer.parse().unwrap()), &forwarded(lines))
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let trusted = proxies(&["127.0.0.1/32"]);
        assert_eq!(
            client(&trusted, "198.51.100.7", &["203.0.113.5"]),
            "198.51.100.7"
        );
        assert_eq!(
            client(&proxies(&[]), "127.0.0.1", &["203.0.113.5"]),
            "127.0.0.1"
        );
        assert_eq!(trusted.client_of(None, &HeaderMap::new()), None);
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = proxies(&["127.0.0.1/32", "10.0.0.0/8"]);
        assert_eq!(
            client(&trusted, "127.0.0.1", &["203.0.113.5"]),
            "203.0.113.5"
        );
        // The client wrote the leftmost entry itself: never believed.
        assert_eq!(
            client(&trusted, "127.0.0.1", &["1.1.1.1, 203.0.113.5, 10.1.2.3"]),
            "203.0.113.5"
        );
        // Several header lines are one list.
        assert_eq!(
            client(
                &trusted,
                "::ffff:127.0.0.1",
                &["6.6.6.6", "203.0.113.5", "10.0.0.9"]
            ),
            "203.0.113.5"
        );
        assert_eq!(
            client(&trusted, "127.0.0.1", &["[2001:db8::5]:443"]),
            "2001:db8::5"
        );
        assert_eq!(
            client(&trusted, "127.0.0.1", &["203.0.113.5:1234"]),
            "203.0.113.5"
        );
    }

    #[test]
    fn without_a_usable_hop_the_nearest_known_address_counts() {
        let trusted = proxies(&["127.0.0.1/32", "10.0.0.0/8"]);
        assert_eq!(client(&trusted, "127.0.0.1", &[]), "127.0.0.1");
        assert_eq!(
            client(&trusted, "127.0.0.1", &["10.0.0.2, 10.0.0.3"]),
            "10.0.0.2"
        );
        assert_eq!(
            client(&trusted, "127.0.0.1", &["203.0.113.5, junk"]),
            "127.0.0.1"
        );
        assert_eq!(
            client(&trusted, "127.0.0.1", &["junk, 10.0.0.3"]),
            "10.0.0.3"
        );
    }
}
