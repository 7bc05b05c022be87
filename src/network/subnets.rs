//! Subnets and route tables → which subnets are private, which have NAT egress, and the
//! ones a relay should run in. Pure functions over plain structs: no AWS here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::network::security_groups::parse_cidr;

/// The eksctl / AWS Load Balancer Controller tag for subnets meant for internal load balancers.
pub const TAG_INTERNAL_ELB: &str = "kubernetes.io/role/internal-elb";

/// A subnet as DescribeSubnets returns it, reduced to what evrelay needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub az: String,
    /// The zone's ID (`use1-az1`): the same place in every account, where names differ.
    pub az_id: String,
    pub cidr: String,
    pub tags: BTreeMap<String, String>,
}

/// A route table as DescribeRouteTables returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTable {
    pub id: String,
    /// The VPC's main table (used by every subnet without an explicit association).
    pub main: bool,
    /// Subnets explicitly associated with this table.
    pub subnet_ids: Vec<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    pub destination: String,
    /// The target's id: `igw-…`, `nat-…`, `tgw-…`, `pcx-…`, `eni-…`, `i-…`, `local`.
    pub target: String,
    /// AWS marks a route whose target is gone as `blackhole`: it carries no traffic.
    pub blackhole: bool,
}

/// One subnet, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetView {
    pub id: String,
    pub az: String,
    pub cidr: String,
    /// The `Name` tag, if any.
    pub name: Option<String>,
    /// No working 0.0.0.0/0 route to an internet gateway.
    pub private: bool,
    /// A working 0.0.0.0/0 route through a NAT gateway.
    pub nat_egress: bool,
    /// Tagged `kubernetes.io/role/internal-elb` (eksctl puts it on its private subnets).
    pub internal_elb_tag: bool,
    /// The table that applies: the explicit association, else the VPC's main table.
    pub route_table: Option<String>,
    /// Where 0.0.0.0/0 goes (`igw-…`, `nat-…`, `tgw-…`, `blackhole (igw-…)`), if anywhere.
    pub default_route: Option<String>,
}

/// The subnets picked for the relay, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetPick {
    pub ids: Vec<String>,
    pub azs: Vec<String>,
    pub reason: String,
    /// Set when fewer than two AZs are covered (Lambda in one AZ is one outage away from down).
    pub warning: Option<String>,
}

/// Classifies every subnet by the route table that applies to it.
pub fn classify_subnets(subnets: &[Subnet], route_tables: &[RouteTable]) -> Vec<SubnetView> {
    let main = route_tables.iter().find(|t| t.main);
    let mut views: Vec<SubnetView> = subnets
        .iter()
        .map(|s| {
            let table = route_tables
                .iter()
                .find(|t| t.subnet_ids.iter().any(|id| id == &s.id))
                .or(main);
            let default =
                table.and_then(|t| t.routes.iter().find(|r| r.destination == "0.0.0.0/0"));
            let working = default.filter(|r| !r.blackhole);
            let to_igw = working.is_some_and(|r| r.target.starts_with("igw-"));
            let to_nat = working.is_some_and(|r| r.target.starts_with("nat-"));
            SubnetView {
                id: s.id.clone(),
                az: s.az.clone(),
                cidr: s.cidr.clone(),
                name: s.tags.get("Name").cloned(),
                private: !to_igw,
                nat_egress: to_nat,
                internal_elb_tag: s.tags.get(TAG_INTERNAL_ELB).is_some_and(|v| tag_is_set(v)),
                route_table: table.map(|t| t.id.clone()),
                default_route: default.map(|r| {
                    if r.blackhole {
                        format!("blackhole ({})", r.target)
                    } else {
                        r.target.clone()
                    }
                }),
            }
        })
        .collect();
    // By AZ, then by address (not by the CIDR's text, where 192.168.128.0 sorts before 192.168.32.0).
    views.sort_by_key(|v| (v.az.clone(), parse_cidr(&v.cidr), v.id.clone()));
    views
}

/// eksctl writes `1`; the controller also accepts an empty value.
fn tag_is_set(value: &str) -> bool {
    !matches!(value.trim().to_ascii_lowercase().as_str(), "0" | "false")
}

/// One private subnet per AZ, preferring `internal-elb`-tagged ones, then NAT egress (the relay
/// sends its response event to EventBridge), then the lowest CIDR for a stable answer.
pub fn pick_subnets(views: &[SubnetView]) -> Option<SubnetPick> {
    let mut best: BTreeMap<&str, &SubnetView> = BTreeMap::new();
    for v in views.iter().filter(|v| v.private) {
        let rank = |s: &SubnetView| {
            (
                !s.internal_elb_tag,
                !s.nat_egress,
                parse_cidr(&s.cidr),
                s.id.clone(),
            )
        };
        match best.get(v.az.as_str()) {
            Some(current) if rank(current) <= rank(v) => {}
            _ => {
                best.insert(&v.az, v);
            }
        }
    }
    if best.is_empty() {
        return None;
    }
    let picked: Vec<&SubnetView> = best.values().copied().collect();
    let tagged = picked.iter().filter(|s| s.internal_elb_tag).count();
    let nat = picked.iter().filter(|s| s.nat_egress).count();
    let mut reason = format!(
        "one private subnet (no route to an internet gateway) per AZ, {} AZs",
        picked.len()
    );
    if tagged == picked.len() {
        reason.push_str(&format!(", all tagged {TAG_INTERNAL_ELB}"));
    } else if tagged > 0 {
        reason.push_str(&format!(", {tagged} tagged {TAG_INTERNAL_ELB}"));
    }
    if nat == picked.len() {
        reason.push_str(", all with NAT egress");
    } else {
        reason.push_str(&format!(", {nat} of {} with NAT egress", picked.len()));
    }
    Some(SubnetPick {
        ids: picked.iter().map(|s| s.id.clone()).collect(),
        azs: picked.iter().map(|s| s.az.clone()).collect(),
        reason,
        warning: az_coverage_warning(&picked),
    })
}

/// Lambda wants subnets in at least two AZs to survive an AZ outage.
pub fn az_coverage_warning(picked: &[&SubnetView]) -> Option<String> {
    let azs: BTreeSet<&str> = picked.iter().map(|s| s.az.as_str()).collect();
    match azs.len() {
        0 => Some("no private subnet found: the relay needs private subnets with a route to the endpoint".into()),
        1 => Some(format!(
            "the private subnets cover one AZ only ({}): the relay goes down with that AZ; add a private subnet in a second AZ",
            azs.iter().next().copied().unwrap_or_default()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, az: &str, cidr: &str, tags: &[(&str, &str)]) -> Subnet {
        Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            az: az.into(),
            az_id: String::new(),
            cidr: cidr.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn table(
        id: &str,
        main: bool,
        subnets: &[&str],
        default_target: Option<(&str, bool)>,
    ) -> RouteTable {
        let mut routes = vec![Route {
            destination: "10.0.0.0/16".into(),
            target: "local".into(),
            blackhole: false,
        }];
        if let Some((target, blackhole)) = default_target {
            routes.push(Route {
                destination: "0.0.0.0/0".into(),
                target: target.into(),
                blackhole,
            });
        }
        RouteTable {
            id: id.into(),
            main,
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
            routes,
        }
    }

    fn view<'a>(views: &'a [SubnetView], id: &str) -> &'a SubnetView {
        views.iter().find(|v| v.id == id).unwrap()
    }

    #[test]
    fn explicit_association_wins_over_the_main_table() {
        let subnets = [
            subnet("subnet-a", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-b", "az1", "10.0.1.0/24", &[]),
        ];
        let tables = [
            table("rtb-main", true, &[], Some(("igw-1", false))),
            table("rtb-private", false, &["subnet-a"], Some(("nat-1", false))),
        ];
        let views = classify_subnets(&subnets, &tables);
        let a = view(&views, "subnet-a");
        assert!(a.private && a.nat_egress);
        assert_eq!(a.route_table.as_deref(), Some("rtb-private"));
        let b = view(&views, "subnet-b");
        assert!(
            !b.private && !b.nat_egress,
            "falls back to the main table, which routes to the IGW"
        );
        assert_eq!(b.route_table.as_deref(), Some("rtb-main"));
    }

    #[test]
    fn nat_is_private_with_egress_igw_is_public_none_is_isolated() {
        let subnets = [
            subnet("subnet-nat", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-igw", "az1", "10.0.1.0/24", &[]),
            subnet("subnet-none", "az1", "10.0.2.0/24", &[]),
            subnet("subnet-tgw", "az1", "10.0.3.0/24", &[]),
        ];
        let tables = [
            table("rtb-1", false, &["subnet-nat"], Some(("nat-1", false))),
            table("rtb-2", false, &["subnet-igw"], Some(("igw-1", false))),
            table("rtb-3", false, &["subnet-none"], None),
            table("rtb-4", false, &["subnet-tgw"], Some(("tgw-1", false))),
        ];
        let views = classify_subnets(&subnets, &tables);
        assert!(view(&views, "subnet-nat").private && view(&views, "subnet-nat").nat_egress);
        assert!(!view(&views, "subnet-igw").private);
        assert!(view(&views, "subnet-none").private && !view(&views, "subnet-none").nat_egress);
        let tgw = view(&views, "subnet-tgw");
        assert!(tgw.private && !tgw.nat_egress);
        assert_eq!(tgw.default_route.as_deref(), Some("tgw-1"));
    }

    #[test]
    fn blackhole_routes_carry_nothing() {
        let subnets = [
            subnet("subnet-a", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-b", "az1", "10.0.1.0/24", &[]),
        ];
        let tables = [
            table("rtb-1", false, &["subnet-a"], Some(("igw-gone", true))),
            table("rtb-2", false, &["subnet-b"], Some(("nat-gone", true))),
        ];
        let views = classify_subnets(&subnets, &tables);
        let a = view(&views, "subnet-a");
        assert!(
            a.private,
            "a blackholed IGW route does not make a subnet public"
        );
        assert_eq!(a.default_route.as_deref(), Some("blackhole (igw-gone)"));
        assert!(
            !view(&views, "subnet-b").nat_egress,
            "a blackholed NAT route is no egress"
        );
    }

    #[test]
    fn no_table_at_all_is_private_without_egress() {
        let views = classify_subnets(&[subnet("subnet-a", "az1", "10.0.0.0/24", &[])], &[]);
        assert!(views[0].private && !views[0].nat_egress && views[0].route_table.is_none());
    }

    #[test]
    fn picks_one_tagged_subnet_per_az() {
        let tag = [(TAG_INTERNAL_ELB, "1")];
        let subnets = [
            subnet("subnet-a1", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-a2", "az1", "10.0.9.0/24", &tag),
            subnet("subnet-b1", "az2", "10.0.1.0/24", &tag),
            subnet("subnet-b2", "az2", "10.0.2.0/24", &tag),
            subnet("subnet-pub", "az3", "10.0.3.0/24", &tag),
        ];
        let tables = [
            table("rtb-main", true, &[], Some(("nat-1", false))),
            table("rtb-pub", false, &["subnet-pub"], Some(("igw-1", false))),
        ];
        let pick = pick_subnets(&classify_subnets(&subnets, &tables)).unwrap();
        assert_eq!(
            pick.ids,
            ["subnet-a2", "subnet-b1"],
            "tagged beats untagged, then lowest CIDR; public never"
        );
        assert_eq!(pick.azs, ["az1", "az2"]);
        assert!(pick.reason.contains("all tagged"), "{}", pick.reason);
        assert!(pick.warning.is_none());
    }

    #[test]
    fn nat_egress_breaks_ties_between_untagged_subnets() {
        let subnets = [
            subnet("subnet-a", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-b", "az1", "10.0.1.0/24", &[]),
        ];
        let tables = [
            table("rtb-main", true, &[], None),
            table("rtb-nat", false, &["subnet-b"], Some(("nat-1", false))),
        ];
        let pick = pick_subnets(&classify_subnets(&subnets, &tables)).unwrap();
        assert_eq!(pick.ids, ["subnet-b"]);
    }

    #[test]
    fn one_az_is_warned_about_and_none_is_no_pick() {
        let subnets = [
            subnet("subnet-a", "az1", "10.0.0.0/24", &[]),
            subnet("subnet-b", "az1", "10.0.1.0/24", &[]),
        ];
        let pick = pick_subnets(&classify_subnets(
            &subnets,
            &[table("rtb", true, &[], None)],
        ))
        .unwrap();
        assert_eq!(pick.ids.len(), 1);
        assert!(pick.warning.unwrap().contains("one AZ only (az1)"));
        assert!(pick_subnets(&classify_subnets(
            &subnets,
            &[table("rtb", true, &[], Some(("igw-1", false)))]
        ))
        .is_none());
        assert!(az_coverage_warning(&[]).is_some());
    }

    #[test]
    fn internal_elb_tag_values() {
        assert!(tag_is_set("1") && tag_is_set("") && tag_is_set("true"));
        assert!(!tag_is_set("0") && !tag_is_set("false"));
    }
}
