//! Interface VPC endpoints: the ones a relay in private subnets needs (Secrets Manager for its
//! API key, EventBridge for its response event when there is no NAT), and whether it can reach
//! EventBridge at all.

use serde::Serialize;

use crate::error::{AwsResultExt, Result};
use crate::network::subnets::SubnetView;

/// The short service names evrelay cares about.
pub const SECRETS_MANAGER: &str = "secretsmanager";
pub const EVENTS: &str = "events";

/// `com.amazonaws.<region>.<service>` (`cn.com.amazonaws.…` in the China regions).
pub fn service_name(region: &str, service: &str) -> String {
    if region.starts_with("cn-") {
        format!("cn.com.amazonaws.{region}.{service}")
    } else {
        format!("com.amazonaws.{region}.{service}")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EndpointView {
    pub id: String,
    pub service_name: String,
    /// `pending`, `available`, `deleting`, `failed`, …
    pub state: String,
    /// With private DNS the service's usual host name resolves to the endpoint inside the VPC,
    /// so the relay's SDK calls use it without configuration.
    pub private_dns: bool,
    pub subnet_ids: Vec<String>,
    pub security_groups: Vec<String>,
}

impl EndpointView {
    /// Usable by a relay with default SDK settings: up (or coming up) with private DNS.
    pub fn usable(&self) -> bool {
        self.private_dns && matches!(self.state.as_str(), "available" | "pending")
    }
}

/// Every interface endpoint in the VPC for one of `service_names`, paginated.
pub async fn find_interface_endpoints(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    service_names: &[String],
) -> Result<Vec<EndpointView>> {
    use aws_sdk_ec2::types::Filter;
    let endpoints = ec2
        .describe_vpc_endpoints()
        .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
        .filters(
            Filter::builder()
                .name("service-name")
                .set_values(Some(service_names.to_vec()))
                .build(),
        )
        .filters(
            Filter::builder()
                .name("vpc-endpoint-type")
                .values("Interface")
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeVpcEndpoints")?;
    let mut views: Vec<EndpointView> = endpoints
        .iter()
        .map(|e| EndpointView {
            id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
            service_name: e.service_name().unwrap_or_default().to_string(),
            state: e
                .state()
                .map(|s| s.as_str().to_ascii_lowercase())
                .unwrap_or_default(),
            private_dns: e.private_dns_enabled().unwrap_or(false),
            subnet_ids: e.subnet_ids().to_vec(),
            security_groups: e
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
        })
        .collect();
    views.sort_by(|a, b| (&a.service_name, &a.id).cmp(&(&b.service_name, &b.id)));
    Ok(views)
}

/// Whether the relay, in the picked subnets, can put its response event on EventBridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventBridgeReach {
    pub reachable: bool,
    /// `nat`, `endpoint`, or nothing.
    pub via: Option<String>,
    pub reason: String,
}

pub fn eventbridge_reach(
    picked: &[&SubnetView],
    events_endpoints: &[EndpointView],
) -> EventBridgeReach {
    if let Some(e) = events_endpoints.iter().find(|e| e.usable()) {
        return EventBridgeReach {
            reachable: true,
            via: Some("endpoint".into()),
            reason: format!("interface endpoint {} with private DNS", e.id),
        };
    }
    let without_nat: Vec<&str> = picked
        .iter()
        .filter(|s| !s.nat_egress)
        .map(|s| s.id.as_str())
        .collect();
    if !picked.is_empty() && without_nat.is_empty() {
        return EventBridgeReach {
            reachable: true,
            via: Some("nat".into()),
            reason: "every picked subnet routes 0.0.0.0/0 through a NAT gateway".into(),
        };
    }
    let reason = if picked.is_empty() {
        "no subnet picked".to_string()
    } else {
        format!(
            "no NAT route from {} and no `events` interface endpoint with private DNS: the relay's response event would time out; `evrelay deploy` can create the endpoint",
            without_nat.join(", ")
        )
    };
    EventBridgeReach {
        reachable: false,
        via: None,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, nat: bool) -> SubnetView {
        SubnetView {
            id: id.into(),
            az: "az1".into(),
            cidr: "10.0.0.0/24".into(),
            name: None,
            private: true,
            nat_egress: nat,
            internal_elb_tag: true,
            route_table: None,
            default_route: None,
        }
    }

    fn endpoint(state: &str, private_dns: bool) -> EndpointView {
        EndpointView {
            id: "vpce-1".into(),
            service_name: service_name("us-east-1", EVENTS),
            state: state.into(),
            private_dns,
            ..Default::default()
        }
    }

    #[test]
    fn service_names_per_partition() {
        assert_eq!(
            service_name("us-east-1", EVENTS),
            "com.amazonaws.us-east-1.events"
        );
        assert_eq!(
            service_name("cn-north-1", SECRETS_MANAGER),
            "cn.com.amazonaws.cn-north-1.secretsmanager"
        );
    }

    #[test]
    fn nat_on_every_picked_subnet_or_an_endpoint() {
        let (a, b) = (subnet("subnet-a", true), subnet("subnet-b", true));
        let reach = eventbridge_reach(&[&a, &b], &[]);
        assert!(reach.reachable);
        assert_eq!(reach.via.as_deref(), Some("nat"));

        let c = subnet("subnet-c", false);
        let reach = eventbridge_reach(&[&a, &c], &[]);
        assert!(!reach.reachable);
        assert!(
            reach.reason.contains("subnet-c") && !reach.reason.contains("subnet-a"),
            "{}",
            reach.reason
        );

        let reach = eventbridge_reach(&[&c], &[endpoint("available", true)]);
        assert_eq!(reach.via.as_deref(), Some("endpoint"));
        assert!(reach.reachable);
    }

    #[test]
    fn endpoints_without_private_dns_or_on_their_way_out_do_not_count() {
        let c = subnet("subnet-c", false);
        assert!(!eventbridge_reach(&[&c], &[endpoint("available", false)]).reachable);
        assert!(!eventbridge_reach(&[&c], &[endpoint("deleting", true)]).reachable);
        assert!(eventbridge_reach(&[&c], &[endpoint("pending", true)]).reachable);
        assert!(!eventbridge_reach(&[], &[]).reachable);
    }
}
