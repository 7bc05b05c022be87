//! Address ranges as security-group rules name them: IPv4 (`10.0.0.0/16`) and IPv6
//! (`2600:1f18::/56`). Pure.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Parses `a.b.c.d/n` into (network address, prefix length).
pub fn parse_cidr(cidr: &str) -> Option<(u32, u8)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    Some((u32::from(addr) & mask(len), len))
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    }
}

/// Whether `outer` contains all of `inner`. `None` when either is not an IPv4 CIDR.
pub fn cidr_contains(outer: &str, inner: &str) -> Option<bool> {
    let (o, olen) = parse_cidr(outer)?;
    let (i, ilen) = parse_cidr(inner)?;
    Some(olen <= ilen && (i & mask(olen)) == o)
}

/// Parses an IPv6 `addr/n` into (network address, prefix length).
pub fn parse_cidr6(cidr: &str) -> Option<(u128, u8)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: Ipv6Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    if len > 128 {
        return None;
    }
    Some((u128::from(addr) & mask6(len), len))
}

fn mask6(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    }
}

/// Whether the IPv6 range `outer` contains all of `inner`; `None` when either is not one.
pub fn cidr6_contains(outer: &str, inner: &str) -> Option<bool> {
    let (o, olen) = parse_cidr6(outer)?;
    let (i, ilen) = parse_cidr6(inner)?;
    Some(olen <= ilen && (i & mask6(olen)) == o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_ranges_contain_their_subranges_only() {
        assert_eq!(cidr_contains("10.0.0.0/16", "10.0.3.0/24"), Some(true));
        assert_eq!(cidr_contains("10.0.3.0/24", "10.0.0.0/16"), Some(false));
        assert_eq!(cidr_contains("0.0.0.0/0", "203.0.113.9/32"), Some(true));
        assert_eq!(cidr_contains("::/0", "10.0.0.0/8"), None);
    }

    #[test]
    fn ipv6_ranges_contain_their_subranges_only() {
        assert_eq!(cidr6_contains("::/0", "2600:1f18:1::/64"), Some(true));
        assert_eq!(
            cidr6_contains("2600:1f18::/56", "2600:1f18:0:10::/64"),
            Some(true)
        );
        assert_eq!(
            cidr6_contains("2600:1f18::/56", "2600:1f19::/64"),
            Some(false)
        );
        assert_eq!(cidr6_contains("2600:1f18::/56", "10.0.0.0/8"), None);
        assert_eq!(parse_cidr6("::1/129"), None);
    }
}
