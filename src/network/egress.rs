//! Whether the relay, in its subnets, can put its response event on EventBridge: through an
//! `events` interface endpoint with private DNS, or out to the internet through a public NAT
//! gateway. A private NAT gateway has no internet path
//! (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html); a route to a
//! transit gateway, a NAT instance, a network interface or a firewall endpoint may or may not
//! lead out, which evrelay cannot see, so it says so and lets the operator choose.

use serde::Serialize;

use crate::aws::vpc_view::NatGatewayView;
use crate::endpoints::Endpoint;
use crate::network::subnets::SubnetView;

/// Where one subnet's 0.0.0.0/0 leads, as far as EventBridge is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Egress {
    /// A public NAT gateway: out to the internet.
    InternetNat(String),
    /// A private NAT gateway: other networks only.
    PrivateNat(String),
    /// A transit gateway, instance, network interface, firewall or peering route: unknown.
    Unverified(String),
    /// No working default route (or straight to an internet gateway, which a Lambda without a
    /// public address cannot use).
    None,
}

/// The kind of target a route id names, for messages.
pub fn target_kind(target: &str) -> &'static str {
    match target.split('-').next().unwrap_or_default() {
        "tgw" => "a transit gateway",
        "i" => "an instance (NAT instance?)",
        "eni" => "a network interface",
        "vpce" => "a firewall or Gateway Load Balancer endpoint",
        "pcx" => "a VPC peering connection",
        "vgw" => "a virtual private gateway",
        "cagw" => "a carrier gateway",
        "lgw" => "a local gateway",
        _ => "a route target",
    }
}

pub fn egress_of(subnet: &SubnetView, nats: &[NatGatewayView]) -> Egress {
    let Some(target) = subnet.default_route.as_deref() else {
        return Egress::None;
    };
    if target.starts_with("blackhole") || target.starts_with("igw-") {
        return Egress::None;
    }
    if target.starts_with("nat-") {
        return match nats.iter().find(|n| n.id == target) {
            Some(n) if n.connectivity == "private" => Egress::PrivateNat(target.into()),
            _ => Egress::InternetNat(target.into()),
        };
    }
    Egress::Unverified(target.into())
}

/// Whether the relay can reach EventBridge from the picked subnets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventBridgeReach {
    pub reachable: bool,
    /// `nat`, `endpoint`, `unverified`, or nothing.
    pub via: Option<String>,
    pub reason: String,
}

pub fn eventbridge_reach(
    picked: &[&SubnetView],
    nats: &[NatGatewayView],
    events_endpoints: &[Endpoint],
) -> EventBridgeReach {
    if let Some(e) = events_endpoints.iter().find(|e| e.usable()) {
        return EventBridgeReach {
            reachable: true,
            via: Some("endpoint".into()),
            reason: format!("interface endpoint {} with private DNS", e.id),
        };
    }
    if picked.is_empty() {
        return EventBridgeReach {
            reason: "no subnet picked".into(),
            ..Default::default()
        };
    }
    let paths: Vec<(&SubnetView, Egress)> =
        picked.iter().map(|s| (*s, egress_of(s, nats))).collect();
    let blocked: Vec<String> = paths
        .iter()
        .filter_map(|(s, e)| match e {
            Egress::PrivateNat(nat) => {
                Some(format!("{} (private NAT gateway {nat}: no internet)", s.id))
            }
            Egress::None => Some(format!("{} (no NAT route)", s.id)),
            _ => None,
        })
        .collect();
    if !blocked.is_empty() {
        return EventBridgeReach {
            reason: format!(
                "no path from {} and no `events` interface endpoint with private DNS: the relay's response event would time out; `evrelay deploy` can create the endpoint",
                blocked.join(", ")
            ),
            ..Default::default()
        };
    }
    let unverified: Vec<String> = paths
        .iter()
        .filter_map(|(s, e)| match e {
            Egress::Unverified(t) => Some(format!(
                "{} routes 0.0.0.0/0 to {t}, {}",
                s.id,
                target_kind(t)
            )),
            _ => None,
        })
        .collect();
    if !unverified.is_empty() {
        return EventBridgeReach {
            reachable: false,
            via: Some("unverified".into()),
            reason: format!(
                "unverified: {}; evrelay cannot tell whether that reaches EventBridge (deploy --events-endpoint create|skip)",
                unverified.join("; ")
            ),
        };
    }
    EventBridgeReach {
        reachable: true,
        via: Some("nat".into()),
        reason: "every picked subnet routes 0.0.0.0/0 through a public NAT gateway".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, route: Option<&str>) -> SubnetView {
        SubnetView {
            id: id.into(),
            az: "az1".into(),
            cidr: "10.0.0.0/24".into(),
            name: None,
            private: true,
            nat_egress: route.is_some_and(|r| r.starts_with("nat-")),
            internal_elb_tag: true,
            route_table: None,
            default_route: route.map(str::to_string),
        }
    }

    fn nat(id: &str, connectivity: &str) -> NatGatewayView {
        NatGatewayView {
            id: id.into(),
            state: "available".into(),
            subnet_id: "subnet-pub".into(),
            connectivity: connectivity.into(),
        }
    }

    fn endpoint(state: &str, private_dns: bool) -> Endpoint {
        Endpoint {
            id: "vpce-1".into(),
            service: "com.amazonaws.us-east-1.events".into(),
            interface: true,
            state: state.into(),
            private_dns,
            ..Default::default()
        }
    }

    #[test]
    fn public_nat_yes_private_nat_no_transit_gateway_unverified() {
        let nats = [nat("nat-pub", "public"), nat("nat-priv", "private")];
        let (a, b) = (
            subnet("subnet-a", Some("nat-pub")),
            subnet("subnet-b", Some("nat-pub")),
        );
        let reach = eventbridge_reach(&[&a, &b], &nats, &[]);
        assert_eq!((reach.reachable, reach.via.as_deref()), (true, Some("nat")));

        let p = subnet("subnet-p", Some("nat-priv"));
        let reach = eventbridge_reach(&[&a, &p], &nats, &[]);
        assert!(!reach.reachable && reach.via.is_none());
        assert!(
            reach
                .reason
                .contains("subnet-p (private NAT gateway nat-priv: no internet)"),
            "{}",
            reach.reason
        );
        assert!(!reach.reason.contains("subnet-a"), "{}", reach.reason);

        let t = subnet("subnet-t", Some("tgw-1"));
        let reach = eventbridge_reach(&[&a, &t], &nats, &[]);
        assert_eq!(
            (reach.reachable, reach.via.as_deref()),
            (false, Some("unverified"))
        );
        assert!(
            reach
                .reason
                .contains("subnet-t routes 0.0.0.0/0 to tgw-1, a transit gateway"),
            "{}",
            reach.reason
        );
        assert_eq!(
            egress_of(&subnet("x", Some("i-1")), &nats),
            Egress::Unverified("i-1".into())
        );
        assert_eq!(
            egress_of(&subnet("x", Some("vpce-fw")), &nats),
            Egress::Unverified("vpce-fw".into())
        );
        assert_eq!(
            egress_of(&subnet("x", Some("blackhole (nat-pub)")), &nats),
            Egress::None
        );
    }

    #[test]
    fn an_events_endpoint_with_private_dns_beats_every_route() {
        let c = subnet("subnet-c", None);
        let reach = eventbridge_reach(&[&c], &[], &[endpoint("available", true)]);
        assert_eq!(reach.via.as_deref(), Some("endpoint"));
        assert!(!eventbridge_reach(&[&c], &[], &[endpoint("available", false)]).reachable);
        assert!(!eventbridge_reach(&[&c], &[], &[endpoint("deleting", true)]).reachable);
        assert!(eventbridge_reach(&[&c], &[], &[endpoint("pending", true)]).reachable);
        assert!(!eventbridge_reach(&[], &[], &[]).reachable);
    }
}
