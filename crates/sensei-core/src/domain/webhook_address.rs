//! Where webhooks may go: by default only to public addresses, so that an endpoint cannot
//! make the server post to itself, its network's private services, or a cloud metadata
//! address (server-side request forgery). An operator may allow more ranges
//! (`--webhook-allow CIDR`).
//!
//! The check is on addresses, never on names: a name is resolved and every address it
//! resolves to is checked, and the delivery connects to a checked address (the HTTP adapter's
//! resolver), so DNS rebinding and spellings such as `127.1`, `0x7f000001` or
//! `[::ffff:127.0.0.1]` (which the URL parser normalises to addresses) change nothing.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An address range, `address/prefix` (`127.0.0.0/8`, `fd00::/8`); a bare address is one
/// address (`/32`, `/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

/// Why a range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an address range; write ADDRESS/PREFIX such as 127.0.0.0/8, 10.1.2.0/24 or \
     fd00::/8"
)]
pub struct AddressRangeError(pub String);

impl AddressRange {
    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as its IPv4 one).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                prefix_eq(&network.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                prefix_eq(&network.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let bits = usize::from(prefix);
    let whole = bits / 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xff_u8 << (8 - rest);
    (a[whole] & mask) == (b[whole] & mask)
}

impl FromStr for AddressRange {
    type Err = AddressRangeError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let refused = || AddressRangeError(raw.to_owned());
        let (address, prefix) = match raw.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| refused())?;
        let network = network.to_canonical();
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().map_err(|_| refused())?,
            None => width,
        };
        if prefix > width {
            return Err(refused());
        }
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Which addresses deliveries may connect to: public ones, and the allowed ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allowed: Vec<AddressRange>,
}

impl AddressPolicy {
    /// Public addresses and these ranges.
    pub fn allowing(allowed: Vec<AddressRange>) -> Self {
        Self { allowed }
    }

    /// The ranges allowed beyond public addresses.
    pub fn allowed(&self) -> &[AddressRange] {
        &self.allowed
    }

    /// Whether a delivery may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allowed.iter().any(|range| range.contains(ip))
    }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, unique-local,
/// shared (CGNAT, 100.64/10), multicast, broadcast, unspecified, documentation, benchmarking
/// or reserved, nor one of those inside an IPv6 form that carries an IPv4 address
/// (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network", 0/8
        || (a == 100 && (b & 0xc0) == 64) // shared address space (CGNAT), 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments, 192.0.0/24
        || (a == 198 && (b & 0xfe) == 18) // benchmarking, 198.18/15
        || a >= 240; // reserved, 240/4
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let octets = ip.octets();
    let embedded = |from: usize| {
        Ipv4Addr::new(
            octets[from],
            octets[from + 1],
            octets[from + 2],
            octets[from + 3],
        )
    };
    // IPv6 forms that carry an IPv4 address are as public as that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if segments[..6] == [0; 6] {
        // IPv4-compatible (::a.b.c.d, deprecated), and :: and ::1 themselves.
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded(12));
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(12)); // NAT64 (64:ff9b::/96)
    }
    if segments[0] == 0x2002 {
        return is_public_v4(embedded(2)); // 6to4 (2002::/16)
    }
    let special = ip.is_multicast() // ff00::/8
        || (segments[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation, 2001:db8::/32
        || (segments[0] == 0x2001 && segments[1] == 0) // Teredo, 2001::/32
        || segments[..4] == [0x100, 0, 0, 0] // discard, 100::/64
        || segments[0] == 0x3fff && segments[1] < 0x1000; // documentation, 3fff::/20
    !special
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn only_public_unicast_addresses_are_public() {
        let refused = [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "100::1",
        ];
        for raw in refused {
            assert!(!is_public(ip(raw)), "{raw} counted as public");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "169.253.0.1",
            "198.20.0.1",
            "223.255.255.254",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
        ];
        for raw in public {
            assert!(is_public(ip(raw)), "{raw} counted as not public");
        }
    }

    #[test]
    fn an_allowed_range_admits_its_addresses_and_their_mapped_forms_only() {
        let loopback: AddressRange = "127.0.0.0/8".parse().unwrap();
        let policy = AddressPolicy::allowing(vec![loopback, "fd00::/8".parse().unwrap()]);
        assert!(policy.permits(ip("127.0.0.1")));
        assert!(policy.permits(ip("127.200.1.1")));
        assert!(policy.permits(ip("::ffff:127.0.0.1")));
        assert!(policy.permits(ip("fd00::5")));
        assert!(policy.permits(ip("8.8.8.8")), "public stays allowed");
        assert!(!policy.permits(ip("10.0.0.1")));
        assert!(!policy.permits(ip("::1")), "IPv6 loopback is not in 127/8");
        assert!(!policy.permits(ip("fe80::1")));
        assert!(!AddressPolicy::default().permits(ip("127.0.0.1")));
        assert_eq!(loopback.to_string(), "127.0.0.0/8");
    }

    #[test]
    fn ranges_parse_with_or_without_a_prefix_and_refuse_nonsense() {
        let one: AddressRange = "10.1.2.3".parse().unwrap();
        assert_eq!(one.to_string(), "10.1.2.3/32");
        assert!(one.contains(ip("10.1.2.3")) && !one.contains(ip("10.1.2.4")));
        let odd: AddressRange = "10.1.2.0/23".parse().unwrap();
        assert!(odd.contains(ip("10.1.3.255")) && !odd.contains(ip("10.1.4.0")));
        let all: AddressRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("127.0.0.1")) && !all.contains(ip("::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "localhost/8",
            "10.0.0.0/x",
            "10/8",
        ] {
            assert_eq!(
                bad.parse::<AddressRange>(),
                Err(AddressRangeError(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(
            AddressRangeError("x".into()).to_string(),
            "\"x\" is not an address range; write ADDRESS/PREFIX such as 127.0.0.0/8, \
             10.1.2.0/24 or fd00::/8"
        );
    }
}
