//! Security groups: "can A reach B on port P", and which group a relay should run in.
//! Pure functions over plain structs.

use serde::Serialize;

/// eksctl names the group every node group shares `eksctl-<cluster>-cluster/ClusterSharedNodeSecurityGroup`.
pub const EKSCTL_SHARED_NODE_SG_SUFFIX: &str = "/ClusterSharedNodeSecurityGroup";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecurityGroupView {
    pub id: String,
    /// The group name (`default` for the VPC's default group).
    pub group_name: String,
    /// The `Name` tag, if any.
    pub name: Option<String>,
    pub description: String,
    /// Its role as evrelay sees it, and why it is or is not picked (filled in by the discovery).
    pub note: Option<String>,
    /// Tagged `evrelay:managed=true`: a group evrelay made for its endpoints, never the relay's.
    #[serde(skip)]
    pub evrelay_managed: bool,
    #[serde(skip)]
    pub ingress: Vec<Rule>,
    #[serde(skip)]
    pub egress: Vec<Rule>,
}

/// One IpPermission: a protocol and port range, and whom it admits (or lets out to).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    /// `-1` (all traffic), `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// IPv4 ranges, the entries of the rule's prefix lists included (see `prefix_lists`).
    pub cidrs: Vec<String>,
    /// IPv6 ranges, prefix-list entries included.
    pub ipv6_cidrs: Vec<String>,
    /// Security groups referenced by the rule.
    pub groups: Vec<String>,
    /// Prefix lists the rule names (customer- or AWS-managed, e.g. `com.amazonaws.<region>.s3`);
    /// their entries are already in `cidrs` / `ipv6_cidrs`.
    pub prefix_lists: Vec<String>,
    /// Of those, the ones whose entries could not be read: this rule's reach is unknown there.
    pub unread_prefix_lists: Vec<String>,
}

/// The other side of a connection: its security groups and the ranges its addresses come from
/// (for a Lambda: its subnets' CIDRs, since its addresses are not known in advance). A peer
/// reached over IPv6 (a URL naming an IPv6 address) has `ipv6_cidrs` and no `cidrs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peer {
    pub groups: Vec<String>,
    pub cidrs: Vec<String>,
    pub ipv6_cidrs: Vec<String>,
}

/// Whether any of `rules` lets TCP traffic on `port` through from (ingress) or to (egress) `peer`:
/// a rule for all traffic or TCP covering the port, naming one of the peer's groups (a group
/// reference admits the group's members), or ranges — its own or its prefix lists' entries —
/// that contain every one of the peer's ranges of that IP version.
pub fn sg_allows(peer: &Peer, rules: &[Rule], port: u16) -> bool {
    rules.iter().any(|r| {
        covers_tcp_port(r, port)
            && (r.groups.iter().any(|g| peer.groups.contains(g))
                || covers_all(&peer.cidrs, &r.cidrs, cidr_contains)
                || covers_all(&peer.ipv6_cidrs, &r.ipv6_cidrs, cidr6_contains))
    })
}

/// Every one of `peer` (non-empty) lies in one of `rule`.
fn covers_all(peer: &[String], rule: &[String], contains: fn(&str, &str) -> Option<bool>) -> bool {
    !peer.is_empty()
        && peer
            .iter()
            .all(|p| rule.iter().any(|c| contains(c, p).unwrap_or(false)))
}

/// The prefix lists named by `rules` that could not be read (each once).
pub fn unread_prefix_lists(rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<String> = rules
        .iter()
        .flat_map(|r| r.unread_prefix_lists.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Both ends at once: the source's egress lets it out to the target, and one of the target's
/// groups lets it in.
pub fn can_reach(
    from: &Peer,
    from_groups: &[&SecurityGroupView],
    to: &Peer,
    to_groups: &[&SecurityGroupView],
    port: u16,
) -> bool {
    from_groups.iter().any(|g| sg_allows(to, &g.egress, port))
        && to_groups.iter().any(|g| sg_allows(from, &g.ingress, port))
}

/// The rule's protocol and port range take TCP `port` (whatever its peers).
pub fn covers_tcp_port(rule: &Rule, port: u16) -> bool {
    match rule.protocol.as_str() {
        "-1" | "all" => true,
        "tcp" | "6" => {
            let port = i32::from(port);
            match (rule.from_port, rule.to_port) {
                (Some(from), Some(to)) => (from == -1 && to == -1) || (from <= port && port <= to),
                _ => true,
            }
        }
        _ => false,
    }
}

use super::cidr::cidr6_contains;
pub use super::cidr::{cidr_contains, parse_cidr};

/// The group picked for the relay, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityGroupPick {
    pub id: String,
    pub reason: String,
}

/// What the load balancer the relay will call looks like, for the security-group pick.
#[derive(Debug, Clone, Default)]
pub struct AlbPeer<'a> {
    pub name: &'a str,
    pub groups: &'a [String],
    pub port: u16,
}

/// In order: eksctl's shared node group (the ALB's targets run in it); a group the ALB's own
/// groups admit by reference on the listener port (the ALB's targets); the ALB's own group.
/// Never `default`: it is shared by anything launched without a group; never a group evrelay
/// made for its endpoints (it admits the relay, it does not hold it).
pub fn pick_security_group(
    groups: &[SecurityGroupView],
    alb: Option<&AlbPeer>,
) -> Option<SecurityGroupPick> {
    let owned: Vec<SecurityGroupView> = groups
        .iter()
        .filter(|g| !g.evrelay_managed)
        .cloned()
        .collect();
    let groups = owned.as_slice();
    if let Some(g) = groups.iter().find(|g| {
        g.name
            .as_deref()
            .is_some_and(|n| n.ends_with(EKSCTL_SHARED_NODE_SG_SUFFIX))
    }) {
        return Some(SecurityGroupPick {
            id: g.id.clone(),
            reason: "eksctl's shared node security group: the cluster's nodes, and so the ALB's targets, run in it".into(),
        });
    }
    let alb = alb?;
    let alb_groups: Vec<&SecurityGroupView> = groups
        .iter()
        .filter(|g| alb.groups.contains(&g.id))
        .collect();
    let admitted = groups
        .iter()
        .filter(|g| g.group_name != "default" && !alb.groups.contains(&g.id))
        .find(|g| {
            let referenced = Peer {
                groups: vec![g.id.clone()],
                cidrs: vec![],
                ..Default::default()
            };
            alb_groups
                .iter()
                .any(|a| sg_allows(&referenced, &a.ingress, alb.port))
        });
    if let Some(g) = admitted {
        return Some(SecurityGroupPick {
            id: g.id.clone(),
            reason: format!(
                "the internal ALB `{}` admits this group by reference on port {}",
                alb.name, alb.port
            ),
        });
    }
    alb_groups
        .iter()
        .find(|g| g.group_name != "default")
        .map(|g| SecurityGroupPick {
            id: g.id.clone(),
            reason: format!(
                "the internal ALB `{}`'s own group (no node group found); check it admits port {}",
                alb.name, alb.port
            ),
        })
}

#[cfg(test)]
mod tests;
