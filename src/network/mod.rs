//! The VPC as evrelay sees it: subnets and route tables → private / public / NAT egress;
//! security groups → "can A reach B on port P"; load balancers → the URL to call; interface
//! endpoints. Pure classification functions (unit-tested, no AWS); the reads are in
//! `crate::aws::vpc_view`. About half of the file is its unit tests.
//! `discover` and `deploy`'s preflight share [`Discovery`].

pub mod cidr;
pub mod egress;
pub mod load_balancers;
pub mod security_groups;
pub mod service_names;
pub mod service_targets;
pub mod subnets;

use serde::Serialize;

pub use crate::aws::vpc_view::{fetch_vpc_view, resolve_scope, NatGatewayView, VpcInfo, VpcView};
use crate::endpoints::{self, Endpoint};
use crate::error::Result;
use egress::EventBridgeReach;
use load_balancers::{LoadBalancerPick, LoadBalancerView};
use security_groups::{AlbPeer, Peer, SecurityGroupPick, SecurityGroupView};
use subnets::{SubnetPick, SubnetView};

/// Everything discover found and picked, with the reason for each pick. Stable JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub region: String,
    pub vpc: VpcInfo,
    /// Every subnet in the VPC, classified (public ones included, marked `private: false`).
    pub subnets: Vec<SubnetView>,
    pub security_groups: Vec<SecurityGroupView>,
    /// Every load balancer in the VPC; only internal ALBs are candidates.
    pub load_balancers: Vec<LoadBalancerView>,
    pub nat_gateways: Vec<NatGatewayView>,
    pub endpoints: Endpoints,
    /// Whether the relay can put its response event on EventBridge from the picked subnets.
    pub eventbridge: EventBridgeReach,
    pub picks: Picks,
    /// Whether the picked group, in the picked subnets, may reach the picked ALB's listener
    /// (egress of the group and ingress of the ALB's groups); unknown without both picks.
    pub relay_reaches_load_balancer: Option<bool>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoints {
    pub secretsmanager: Vec<Endpoint>,
    pub events: Vec<Endpoint>,
    /// What a private-DNS endpoint means for the rest of the VPC (one line).
    pub note: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Picks {
    pub subnets: Option<SubnetPick>,
    pub security_group: Option<SecurityGroupPick>,
    pub load_balancer: Option<LoadBalancerPick>,
}

/// Resolve the scope, fetch the VPC, decide.
pub async fn discover(
    ec2: &aws_sdk_ec2::Client,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    vpc_id: Option<&str>,
    cluster: Option<&str>,
) -> Result<Discovery> {
    let vpc = resolve_scope(ec2, elb, vpc_id, cluster).await?;
    let view = fetch_vpc_view(ec2, elb, &vpc.id).await?;
    Ok(Discovery::decide(vpc, view))
}

/// The warning for a VPC without a candidate ALB (discover drops it when it picks a
/// service-discovery name instead).
pub fn no_alb_warning(vpc_id: &str) -> String {
    format!("no internal ALB with an HTTP or HTTPS listener in {vpc_id}: pass --url to deploy")
}

impl Discovery {
    /// The pure part: classify, pick, explain.
    pub fn decide(vpc: VpcInfo, view: VpcView) -> Discovery {
        let subnets = subnets::classify_subnets(&view.subnets, &view.route_tables);
        let subnet_pick = subnets::pick_subnets(&subnets);
        let mut warnings = Vec::new();
        match &subnet_pick {
            Some(SubnetPick {
                warning: Some(w), ..
            }) => warnings.push(w.clone()),
            None => warnings.push(format!(
                "no private subnet in {}: every subnet routes 0.0.0.0/0 to an internet gateway",
                vpc.id
            )),
            _ => {}
        }

        let mut load_balancers = view.load_balancers;
        let lb_pick = load_balancers::pick_load_balancer(&load_balancers);
        for lb in &mut load_balancers {
            if lb.is_internal_alb() {
                lb.url = load_balancers::preferred_listener(&lb.listeners)
                    .map(|l| load_balancers::url_for(&lb.dns_name, l));
            }
            lb.note = match (&lb_pick, load_balancers::not_picked_reason(lb)) {
                (Some(p), _) if p.arn == lb.arn => Some(format!("picked: {}", p.reason)),
                (_, Some(why)) => Some(why.to_string()),
                (_, None) => Some("another internal ALB was picked".into()),
            };
        }
        if lb_pick.is_none() {
            warnings.push(no_alb_warning(&vpc.id));
        }
        let picked_lb = lb_pick
            .as_ref()
            .and_then(|p| load_balancers.iter().find(|lb| lb.arn == p.arn));

        let alb_peer = picked_lb.zip(lb_pick.as_ref()).map(|(lb, p)| AlbPeer {
            name: &lb.name,
            groups: &lb.security_groups,
            port: p.port,
        });
        let sg_pick =
            security_groups::pick_security_group(&view.security_groups, alb_peer.as_ref());
        if sg_pick.is_none() {
            warnings.push("no security group to pick (only `default`, or no node group): pass --security-group to deploy".into());
        }

        let picked_subnets: Vec<&SubnetView> = match &subnet_pick {
            Some(p) => subnets.iter().filter(|s| p.ids.contains(&s.id)).collect(),
            None => Vec::new(),
        };
        let relay_reaches_load_balancer = match (&sg_pick, picked_lb, &lb_pick) {
            (Some(sg), Some(lb), Some(p)) if !picked_subnets.is_empty() => {
                let from = Peer {
                    groups: vec![sg.id.clone()],
                    cidrs: picked_subnets.iter().map(|s| s.cidr.clone()).collect(),
                    ..Default::default()
                };
                let to = Peer {
                    groups: lb.security_groups.clone(),
                    cidrs: subnets
                        .iter()
                        .filter(|s| lb.subnet_ids.contains(&s.id))
                        .map(|s| s.cidr.clone())
                        .collect(),
                    ..Default::default()
                };
                let from_groups: Vec<&SecurityGroupView> = view
                    .security_groups
                    .iter()
                    .filter(|g| g.id == sg.id)
                    .collect();
                let to_groups: Vec<&SecurityGroupView> = view
                    .security_groups
                    .iter()
                    .filter(|g| lb.security_groups.contains(&g.id))
                    .collect();
                Some(security_groups::can_reach(
                    &from,
                    &from_groups,
                    &to,
                    &to_groups,
                    p.port,
                ))
            }
            _ => None,
        };
        if let (Some(false), Some(sg), Some(p)) = (relay_reaches_load_balancer, &sg_pick, &lb_pick)
        {
            warnings.push(format!(
                "the security groups do not let {} reach `{}` on port {}: the relay would time out; add an ingress rule to the ALB's group",
                sg.id, p.name, p.port
            ));
        }

        let mut security_groups = view.security_groups;
        for g in &mut security_groups {
            g.note = Some(sg_note(g, sg_pick.as_ref(), &load_balancers));
        }

        let (secretsmanager, events): (Vec<Endpoint>, Vec<Endpoint>) = view
            .endpoints
            .into_iter()
            .partition(|e| e.short_service() == endpoints::SECRETS_MANAGER);
        let eventbridge = egress::eventbridge_reach(&picked_subnets, &view.nat_gateways, &events);
        if !eventbridge.reachable && subnet_pick.is_some() {
            warnings.push(format!(
                "EventBridge is not reachable from the picked subnets: {}",
                eventbridge.reason
            ));
        }

        Discovery {
            region: view.region,
            vpc,
            subnets,
            security_groups,
            load_balancers,
            nat_gateways: view.nat_gateways,
            endpoints: Endpoints {
                secretsmanager,
                events,
                note: endpoints::SERVES_THE_VPC,
            },
            eventbridge,
            picks: Picks {
                subnets: subnet_pick,
                security_group: sg_pick,
                load_balancer: lb_pick,
            },
            relay_reaches_load_balancer,
            warnings,
        }
    }
}

fn sg_note(
    g: &SecurityGroupView,
    pick: Option<&SecurityGroupPick>,
    lbs: &[LoadBalancerView],
) -> String {
    if let Some(p) = pick.filter(|p| p.id == g.id) {
        return format!("picked: {}", p.reason);
    }
    if g.group_name == "default" {
        return "the VPC's default group: never picked".into();
    }
    if g.evrelay_managed {
        return "evrelay's own endpoint group: never picked".into();
    }
    if let Some(lb) = lbs.iter().find(|lb| lb.security_groups.contains(&g.id)) {
        return format!("the {} load balancer `{}`'s own group", lb.scheme, lb.name);
    }
    if g.name
        .as_deref()
        .is_some_and(|n| n.ends_with("/ControlPlaneSecurityGroup"))
    {
        return "eksctl's control-plane group (for the EKS API, not the nodes)".into();
    }
    "candidate".into()
}

#[cfg(test)]
mod tests;
