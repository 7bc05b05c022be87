//! The VPC interface endpoints a relay in private subnets needs: Secrets Manager (for its API
//! key) and, without an internet path, EventBridge (for the response event). One model for
//! discover, deploy, status and destroy; the EC2 calls are in `crate::aws::vpc_endpoints`.
//!
//! An endpoint with private DNS serves the whole VPC: every workload resolves the service's
//! public name to it. So evrelay reuses one that exists (a second one for the same service
//! fails on AWS with "conflicting DNS domain"), and one it creates gets its own security group
//! admitting TCP 443 from every CIDR of the VPC, not just the relay.

use serde::Serialize;

pub use crate::aws::vpc_endpoints::{
    by_ids, create, delete, delete_groups, ensure_group, hand_over, made_by_run, managed_by,
    wait_available,
};

/// The tag naming the deploy run that created an endpoint or its group: an interrupted run
/// finds by it what its create calls made, even those whose answer it never saw.
pub const TAG_RUN: &str = "evrelay:deploy-run";

/// The short service names evrelay cares about.
pub const SECRETS_MANAGER: &str = "secretsmanager";
pub const EVENTS: &str = "events";

/// The one line discover and deploy print about what a private-DNS endpoint means.
pub const SERVES_THE_VPC: &str =
    "an interface endpoint with private DNS serves the whole VPC: every workload in it resolves the service's name to the endpoint";

/// `com.amazonaws.<region>.<service>` (`cn.com.amazonaws.…` in the China regions).
pub fn service_name(region: &str, service: &str) -> String {
    if region.starts_with("cn-") {
        format!("cn.com.amazonaws.{region}.{service}")
    } else {
        format!("com.amazonaws.{region}.{service}")
    }
}

/// An interface endpoint, reduced to what evrelay decides on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub vpc_id: String,
    /// The full service name, `com.amazonaws.<region>.<service>`.
    pub service: String,
    pub interface: bool,
    /// Lower case, as EC2 sends it: pending, available, deleting, deleted, failed, …
    pub state: String,
    /// With private DNS the service's usual host name resolves to the endpoint inside the VPC,
    /// so the relay's SDK calls use it without configuration.
    pub private_dns: bool,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// Tagged `evrelay:managed=true`: evrelay created it.
    pub managed: bool,
    /// The `evrelay:stack` tag: which relay it was created for.
    pub stack: Option<String>,
}

impl Endpoint {
    /// Still there, or on its way: not deleted, deleting, failed, rejected or expired.
    pub fn is_live(&self) -> bool {
        matches!(
            self.state.as_str(),
            "available" | "pending" | "pendingacceptance" | "partial"
        )
    }

    /// Usable by a relay with default SDK settings: up (or coming up) with private DNS.
    pub fn usable(&self) -> bool {
        self.private_dns && matches!(self.state.as_str(), "available" | "pending")
    }

    /// The short service name (`secretsmanager`, `events`).
    pub fn short_service(&self) -> &str {
        self.service.rsplit('.').next().unwrap_or_default()
    }
}

/// The endpoint to reuse: a live interface endpoint with private DNS. An available one beats
/// a pending one; ties go to the lowest id for a stable answer.
pub fn reusable(endpoints: &[Endpoint]) -> Option<&Endpoint> {
    endpoints
        .iter()
        .filter(|e| e.interface && e.usable())
        .min_by_key(|e| (e.state != "available", e.id.clone()))
}

/// An interface endpoint takes at most one subnet per Availability Zone: the first of each.
pub fn one_subnet_per_az(subnets: &[(String, String)]) -> Vec<String> {
    let mut seen_az = Vec::new();
    let mut out = Vec::new();
    for (id, az) in subnets {
        if !seen_az.contains(az) {
            seen_az.push(az.clone());
            out.push(id.clone());
        }
    }
    out
}

/// The security group evrelay creates for one endpoint: named from the stack and the
/// service, admitting TCP 443 from every IPv4 and IPv6 CIDR of the VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointGroup {
    pub name: String,
    pub ipv4_cidrs: Vec<String>,
    pub ipv6_cidrs: Vec<String>,
}

impl EndpointGroup {
    pub fn new(stack: &str, service: &str, ipv4: &[String], ipv6: &[String]) -> Self {
        Self {
            name: endpoint_group_name(stack, service),
            ipv4_cidrs: ipv4.to_vec(),
            ipv6_cidrs: ipv6.to_vec(),
        }
    }
}

pub fn endpoint_group_name(stack: &str, service: &str) -> String {
    format!("{stack}-{service}-endpoint")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub vpc_id: String,
    pub service_name: String,
    pub subnets: Vec<String>,
    pub group: EndpointGroup,
    pub stack: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(id: &str, state: &str, dns: bool) -> Endpoint {
        Endpoint {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            service: "com.amazonaws.us-east-1.secretsmanager".into(),
            interface: true,
            state: state.into(),
            private_dns: dns,
            ..Default::default()
        }
    }

    #[test]
    fn reuse_prefers_an_available_private_dns_endpoint() {
        let eps = [
            ep("vpce-a", "pending", true),
            ep("vpce-b", "available", true),
            ep("vpce-c", "available", false),
        ];
        assert_eq!(reusable(&eps).unwrap().id, "vpce-b");
        assert_eq!(reusable(&eps[..1]).unwrap().id, "vpce-a");
        assert!(reusable(&[
            ep("vpce-d", "deleted", true),
            ep("vpce-c", "available", false)
        ])
        .is_none());
        assert_eq!(eps[0].short_service(), "secretsmanager");
    }

    #[test]
    fn one_subnet_per_zone() {
        let s = |id: &str, az: &str| (id.to_string(), az.to_string());
        assert_eq!(
            one_subnet_per_az(&[s("a", "1a"), s("b", "1a"), s("c", "1b")]),
            ["a", "c"]
        );
    }

    #[test]
    fn service_names_per_partition_and_group_names_per_stack() {
        assert_eq!(
            service_name("us-east-1", EVENTS),
            "com.amazonaws.us-east-1.events"
        );
        assert_eq!(
            service_name("cn-north-1", SECRETS_MANAGER),
            "cn.com.amazonaws.cn-north-1.secretsmanager"
        );
        assert_eq!(
            endpoint_group_name("orders", SECRETS_MANAGER),
            "orders-secretsmanager-endpoint"
        );
    }
}
