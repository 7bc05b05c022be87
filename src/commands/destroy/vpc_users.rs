//! What happens to each endpoint evrelay made for the stack. With private DNS an interface
//! endpoint serves the whole VPC, so workloads that came later (pods reading secrets, other
//! functions) may reach the service only through it: deleting it would cut them off. Pure
//! decisions over what `fetch::vpc_users` read.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aws::interfaces::VpcInterface;
use crate::endpoints::Endpoint;
use crate::network::egress::Egress;

use super::report::Handover;

/// Interface types that carry traffic for a service rather than call AWS APIs themselves: a
/// NAT gateway, a load balancer's nodes, an endpoint's own interfaces, a transit gateway
/// attachment. (EC2 DescribeNetworkInterfaces, InterfaceType.)
const FORWARDERS: [&str; 8] = [
    "vpc_endpoint",
    "natGateway",
    "load_balancer",
    "network_load_balancer",
    "gateway_load_balancer",
    "gateway_load_balancer_endpoint",
    "transit_gateway",
    "global_accelerator_managed",
];

/// The requester of an Application or Classic Load Balancer's interfaces (type `interface`).
const ELB_REQUESTER: &str = "amazon-elb";

/// Whether the interface may reach the services only through the VPC's endpoints: not a
/// forwarder, not an evrelay relay's Lambda interface (`relay_prefixes`: other relays inherit
/// the endpoint by name instead), not an endpoint's own, and with no other path from its
/// subnet. A route evrelay cannot follow (transit gateway, NAT instance…) counts as no path:
/// an endpoint kept by mistake costs its hourly price, one deleted by mistake an outage.
pub fn depends_on_endpoints(
    ni: &VpcInterface,
    endpoint_interfaces: &[String],
    relay_prefixes: &[String],
    egress: &BTreeMap<String, Egress>,
) -> bool {
    if FORWARDERS.contains(&ni.interface_type.as_str())
        || ni.requester.as_deref() == Some(ELB_REQUESTER)
        || endpoint_interfaces.contains(&ni.id)
        // Lambda names its interfaces `AWS Lambda VPC ENI-<function>-<uuid>`.
        || relay_prefixes
            .iter()
            .any(|p| ni.description.starts_with(&format!("{p}-")))
    {
        return false;
    }
    match egress.get(&ni.subnet) {
        Some(Egress::InternetNat(_)) => false,
        // The subnet routes 0.0.0.0/0 to an internet gateway: out only with a public address.
        Some(Egress::None) if ni.public_ip => false,
        _ => true,
    }
}

/// An endpoint kept for the VPC (or deleted anyway), with the interfaces that may need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    pub endpoint: String,
    pub users: Vec<VpcInterface>,
}

/// `--keep-endpoints` / `--delete-endpoints` / neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Decide,
    Keep,
    Delete,
}

/// Each endpoint's fate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fates {
    pub delete: Vec<String>,
    /// Another relay in the VPC takes it over (still evrelay's, now that stack's).
    pub handovers: Vec<Handover>,
    /// Kept for other workloads or by `--keep-endpoints`: no evrelay stack owns it any longer.
    pub released: Vec<Release>,
    /// Deleted by `--delete-endpoints` although these interfaces may lose the service.
    pub at_risk: Vec<Release>,
}

/// The rule: a failed endpoint serves no one and goes; another relay in its VPC inherits it;
/// `--keep-endpoints` keeps it; interfaces that depend on it keep it unless
/// `--delete-endpoints` (which then names them); else it goes. `users` is keyed by VPC id.
pub fn decide(
    managed: &[Endpoint],
    other_relays: &[(String, String)],
    users: &BTreeMap<String, Vec<VpcInterface>>,
    choice: Choice,
) -> Fates {
    let mut fates = Fates::default();
    for e in managed {
        if e.state == "failed" {
            fates.delete.push(e.id.clone());
            continue;
        }
        if let Some(stack) = super::relays::heir(&e.vpc_id, other_relays) {
            fates.handovers.push(Handover {
                endpoint: e.id.clone(),
                stack,
            });
            continue;
        }
        let release = Release {
            endpoint: e.id.clone(),
            users: users.get(&e.vpc_id).cloned().unwrap_or_default(),
        };
        match choice {
            Choice::Keep => fates.released.push(Release {
                users: Vec::new(),
                ..release
            }),
            _ if release.users.is_empty() => fates.delete.push(e.id.clone()),
            Choice::Decide => fates.released.push(release),
            Choice::Delete => {
                fates.delete.push(e.id.clone());
                fates.at_risk.push(release);
            }
        }
    }
    fates
}

impl Fates {
    /// After the stack's delete, asked again: only endpoints the plan said would go may now be
    /// spared (a relay or a workload appeared meanwhile); none the plan kept is deleted.
    pub fn spare_more(self, again: Fates) -> Fates {
        let delete = self
            .delete
            .iter()
            .filter(|id| again.delete.contains(id))
            .cloned()
            .collect();
        let new = |id: &String| self.delete.contains(id);
        Fates {
            delete,
            handovers: [
                self.handovers,
                again
                    .handovers
                    .into_iter()
                    .filter(|h| new(&h.endpoint))
                    .collect(),
            ]
            .concat(),
            released: [
                self.released,
                again
                    .released
                    .into_iter()
                    .filter(|r| new(&r.endpoint))
                    .collect(),
            ]
            .concat(),
            at_risk: again
                .at_risk
                .into_iter()
                .filter(|r| new(&r.endpoint))
                .collect(),
        }
    }
}

/// `eni-1 (owner 1234…, requester amazon-eks, branch, "aws-K8S-…")`, for the plan and errors.
pub fn describe(ni: &VpcInterface) -> String {
    let requester = ni
        .requester
        .as_deref()
        .map(|r| format!(", requester {r}"))
        .unwrap_or_default();
    let description = if ni.description.is_empty() {
        "no description".to_string()
    } else {
        format!("\"{}\"", ni.description)
    };
    format!(
        "{} in {} (owner {}{requester}, {}, {description})",
        ni.id, ni.subnet, ni.owner, ni.interface_type
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ni(id: &str, subnet: &str, kind: &str, description: &str) -> VpcInterface {
        VpcInterface {
            id: id.into(),
            subnet: subnet.into(),
            description: description.into(),
            interface_type: kind.into(),
            owner: "123456789012".into(),
            ..VpcInterface::default()
        }
    }

    fn egress() -> BTreeMap<String, Egress> {
        BTreeMap::from([
            (
                "subnet-nat".to_string(),
                Egress::InternetNat("nat-1".into()),
            ),
            ("subnet-none".to_string(), Egress::None),
            ("subnet-tgw".to_string(), Egress::Unverified("tgw-1".into())),
            (
                "subnet-pnat".to_string(),
                Egress::PrivateNat("nat-2".into()),
            ),
        ])
    }

    #[test]
    fn a_workload_without_another_path_depends_on_the_endpoints_and_relays_and_forwarders_do_not() {
        let prefixes = vec!["AWS Lambda VPC ENI-orders-relay".to_string()];
        let enis = vec!["eni-ep".to_string()];
        let depends = |n: &VpcInterface| depends_on_endpoints(n, &enis, &prefixes, &egress());
        // A pod in a subnet with no NAT, behind a private NAT, or behind a route evrelay cannot
        // follow: it may reach Secrets Manager only through the endpoint.
        assert!(depends(&ni(
            "eni-pod",
            "subnet-none",
            "branch",
            "aws-k8s-branch-eni"
        )));
        assert!(depends(&ni(
            "eni-f",
            "subnet-pnat",
            "lambda",
            "AWS Lambda VPC ENI-billing-1"
        )));
        assert!(depends(&ni("eni-t", "subnet-tgw", "interface", "")));
        // A relay whose name only starts like ours is someone else.
        assert!(depends(&ni(
            "eni-x",
            "subnet-none",
            "lambda",
            "AWS Lambda VPC ENI-orders-relay2-1"
        )));
        // Through a public NAT gateway, or with a public address: another path.
        assert!(!depends(&ni("eni-nat", "subnet-nat", "interface", "")));
        let mut public = ni("eni-pub", "subnet-none", "interface", "");
        public.public_ip = true;
        assert!(!depends(&public));
        // The relay itself, the endpoint's own interface, a NAT gateway, an ALB's nodes.
        assert!(!depends(&ni(
            "eni-r",
            "subnet-none",
            "lambda",
            "AWS Lambda VPC ENI-orders-relay-3f1a"
        )));
        assert!(!depends(&ni("eni-ep", "subnet-none", "interface", "")));
        assert!(!depends(&ni("eni-n", "subnet-none", "natGateway", "")));
        let mut alb = ni("eni-alb", "subnet-none", "interface", "ELB app/orders/1");
        alb.requester = Some("amazon-elb".into());
        assert!(!depends(&alb));
    }

    fn endpoint(id: &str, vpc: &str) -> Endpoint {
        Endpoint {
            id: id.into(),
            vpc_id: vpc.into(),
            state: "available".into(),
            ..Endpoint::default()
        }
    }

    #[test]
    fn an_endpoint_others_use_is_kept_unless_told_and_then_they_are_named() {
        let managed = [
            endpoint("vpce-used", "vpc-1"),
            endpoint("vpce-free", "vpc-2"),
            endpoint("vpce-heir", "vpc-3"),
            Endpoint {
                state: "failed".into(),
                ..endpoint("vpce-failed", "vpc-1")
            },
        ];
        let relays = vec![("billing".to_string(), "vpc-3".to_string())];
        let pod = ni("eni-pod", "subnet-none", "branch", "pod");
        let users = BTreeMap::from([
            ("vpc-1".to_string(), vec![pod.clone()]),
            ("vpc-3".to_string(), vec![pod.clone()]),
        ]);
        let heir = vec![Handover {
            endpoint: "vpce-heir".into(),
            stack: "billing".into(),
        }];
        let kept = Release {
            endpoint: "vpce-used".into(),
            users: vec![pod],
        };

        let fates = decide(&managed, &relays, &users, Choice::Decide);
        assert_eq!(fates.delete, ["vpce-free", "vpce-failed"]);
        assert_eq!(fates.handovers, heir);
        assert_eq!(fates.released, std::slice::from_ref(&kept));
        assert!(fates.at_risk.is_empty());

        let fates = decide(&managed, &relays, &users, Choice::Delete);
        assert_eq!(fates.delete, ["vpce-used", "vpce-free", "vpce-failed"]);
        assert_eq!(fates.at_risk, [kept]);
        assert!(fates.released.is_empty());

        let fates = decide(&managed, &relays, &users, Choice::Keep);
        assert_eq!(fates.delete, ["vpce-failed"]);
        let released: Vec<&str> = fates.released.iter().map(|r| r.endpoint.as_str()).collect();
        assert_eq!(released, ["vpce-used", "vpce-free"]);
        assert_eq!(fates.handovers, heir);
    }

    #[test]
    fn asked_again_after_the_stack_is_gone_an_endpoint_may_be_spared_but_never_newly_deleted() {
        let managed = [endpoint("vpce-1", "vpc-1"), endpoint("vpce-2", "vpc-2")];
        let before = decide(
            &managed,
            &[],
            &BTreeMap::from([("vpc-2".to_string(), vec![ni("eni-a", "s", "interface", "")])]),
            Choice::Decide,
        );
        // Meanwhile a workload came to vpc-1 and the one in vpc-2 left.
        let again = decide(
            &managed,
            &[],
            &BTreeMap::from([("vpc-1".to_string(), vec![ni("eni-b", "s", "interface", "")])]),
            Choice::Decide,
        );
        let after = before.spare_more(again);
        assert!(after.delete.is_empty());
        let released: Vec<&str> = after.released.iter().map(|r| r.endpoint.as_str()).collect();
        assert_eq!(released, ["vpce-2", "vpce-1"]);
        let text = describe(&ni("eni-b", "subnet-1", "branch", "pod"));
        assert_eq!(
            text,
            "eni-b in subnet-1 (owner 123456789012, branch, \"pod\")"
        );
    }
}
