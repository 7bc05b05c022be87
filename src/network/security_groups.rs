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
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: Option<(i32, i32)>, cidrs: &[&str], groups: &[&str]) -> Rule {
        Rule {
            protocol: protocol.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
            groups: groups.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn peer(groups: &[&str], cidrs: &[&str]) -> Peer {
        Peer {
            groups: groups.iter().map(|s| s.to_string()).collect(),
            cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn group(
        id: &str,
        group_name: &str,
        name: Option<&str>,
        ingress: Vec<Rule>,
    ) -> SecurityGroupView {
        SecurityGroupView {
            id: id.into(),
            group_name: group_name.into(),
            name: name.map(str::to_string),
            description: String::new(),
            note: None,
            evrelay_managed: false,
            ingress,
            egress: vec![rule("-1", None, &["0.0.0.0/0"], &[])],
        }
    }

    #[test]
    fn an_evrelay_endpoint_group_is_never_picked_even_when_the_alb_admits_it() {
        let alb_ingress = vec![
            rule("tcp", Some((80, 80)), &[], &["sg-ep"]),
            rule("tcp", Some((80, 80)), &[], &["sg-nodes"]),
        ];
        let mut ep = group("sg-ep", "apps-secretsmanager-endpoint", None, vec![]);
        ep.evrelay_managed = true;
        let groups = vec![
            ep,
            group("sg-alb", "k8s-alb", None, alb_ingress),
            group("sg-nodes", "nodes", None, vec![]),
        ];
        let alb_groups = vec!["sg-alb".to_string()];
        let alb = AlbPeer {
            name: "app",
            groups: &alb_groups,
            port: 80,
        };
        let pick = pick_security_group(&groups, Some(&alb)).unwrap();
        assert_eq!(pick.id, "sg-nodes");
    }

    #[test]
    fn cidr_rules_must_contain_every_source_range() {
        let rules = [rule("tcp", Some((80, 80)), &["192.168.0.0/16"], &[])];
        assert!(sg_allows(
            &peer(&[], &["192.168.96.0/19", "192.168.128.0/19"]),
            &rules,
            80
        ));
        assert!(!sg_allows(
            &peer(&[], &["192.168.96.0/19", "10.0.0.0/24"]),
            &rules,
            80
        ));
        assert!(
            !sg_allows(&peer(&[], &["192.168.96.0/19"]), &rules, 443),
            "wrong port"
        );
        assert!(
            !sg_allows(&peer(&[], &[]), &rules, 80),
            "no ranges known: not provable"
        );
        assert!(sg_allows(
            &peer(&[], &["10.1.2.0/24"]),
            &[rule("tcp", Some((0, 65535)), &["0.0.0.0/0"], &[])],
            8080
        ));
    }

    #[test]
    fn group_references_and_all_traffic() {
        let by_ref = [rule("tcp", Some((443, 443)), &[], &["sg-relay"])];
        assert!(sg_allows(&peer(&["sg-relay"], &[]), &by_ref, 443));
        assert!(!sg_allows(
            &peer(&["sg-other"], &["10.0.0.0/24"]),
            &by_ref,
            443
        ));
        let all = [rule("-1", Some((-1, -1)), &[], &["sg-relay"])];
        assert!(sg_allows(&peer(&["sg-relay"], &[]), &all, 5432));
        let all_no_ports = [rule("-1", None, &["10.0.0.0/8"], &[])];
        assert!(sg_allows(&peer(&[], &["10.0.0.0/24"]), &all_no_ports, 80));
        assert!(!sg_allows(
            &peer(&["sg-relay"], &[]),
            &[rule("udp", Some((80, 80)), &[], &["sg-relay"])],
            80
        ));
        assert!(sg_allows(
            &peer(&["sg-relay"], &[]),
            &[rule("6", Some((1, 1024)), &[], &["sg-relay"])],
            443
        ));
    }

    #[test]
    fn can_reach_checks_egress_and_ingress() {
        let relay = group("sg-relay", "relay", None, vec![]);
        let alb = group(
            "sg-alb",
            "alb",
            None,
            vec![rule("tcp", Some((80, 80)), &[], &["sg-relay"])],
        );
        let from = peer(&["sg-relay"], &["10.0.1.0/24"]);
        let to = peer(&["sg-alb"], &["10.0.2.0/24"]);
        assert!(can_reach(&from, &[&relay], &to, &[&alb], 80));
        assert!(!can_reach(&from, &[&relay], &to, &[&alb], 443));
        let mut locked = relay.clone();
        locked.egress = vec![rule("tcp", Some((443, 443)), &["0.0.0.0/0"], &[])];
        assert!(
            !can_reach(&from, &[&locked], &to, &[&alb], 80),
            "egress only on 443"
        );
    }

    #[test]
    fn cidr_parsing() {
        assert_eq!(cidr_contains("0.0.0.0/0", "10.0.0.0/8"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "0.0.0.0/0"), Some(false));
        assert_eq!(cidr_contains("10.0.0.0/8", "11.0.0.0/24"), Some(false));
        assert_eq!(
            cidr_contains("10.0.0.5/8", "10.9.0.0/16"),
            Some(true),
            "host bits ignored"
        );
        assert_eq!(cidr_contains("::/0", "10.0.0.0/8"), None);
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
    }

    #[test]
    fn eksctl_shared_node_group_comes_first() {
        let groups = [
            group("sg-default", "default", None, vec![]),
            group(
                "sg-cp",
                "eksctl-events-cluster-ControlPlane",
                Some("eksctl-events-cluster/ControlPlaneSecurityGroup"),
                vec![],
            ),
            group(
                "sg-nodes",
                "eksctl-events-cluster-Shared",
                Some("eksctl-events-cluster/ClusterSharedNodeSecurityGroup"),
                vec![],
            ),
        ];
        let pick = pick_security_group(&groups, None).unwrap();
        assert_eq!(pick.id, "sg-nodes");
        assert!(pick.reason.contains("eksctl"));
    }

    #[test]
    fn without_eksctl_the_group_the_alb_admits_then_the_albs_own_never_default() {
        let alb_groups = vec!["sg-alb".to_string()];
        let alb = AlbPeer {
            name: "app",
            groups: &alb_groups,
            port: 80,
        };
        let targets = [
            group("sg-default", "default", None, vec![]),
            group(
                "sg-alb",
                "k8s-app",
                None,
                vec![rule(
                    "tcp",
                    Some((80, 80)),
                    &["0.0.0.0/0"],
                    &["sg-default", "sg-nodes"],
                )],
            ),
            group("sg-nodes", "nodes", None, vec![]),
        ];
        let pick = pick_security_group(&targets, Some(&alb)).unwrap();
        assert_eq!(pick.id, "sg-nodes");
        assert!(pick.reason.contains("admits this group"));

        let own = [
            group("sg-default", "default", None, vec![]),
            group("sg-alb", "k8s-app", None, vec![]),
        ];
        let pick = pick_security_group(&own, Some(&alb)).unwrap();
        assert_eq!(pick.id, "sg-alb");
        assert!(pick.reason.contains("own group"));

        let only_default = [group("sg-default", "default", None, vec![])];
        assert!(pick_security_group(&only_default, Some(&alb)).is_none());
        assert!(pick_security_group(&only_default, None).is_none());
    }
}
