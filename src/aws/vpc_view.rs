//! The VPC view discover and preflight decide on (EC2 and ELBv2): AWS calls turned into the plain
//! structs `crate::network`'s classification functions take. Every call is paginated;
//! independent calls run concurrently. Over 400 lines because the view is read in one
//! concurrent pass, and splitting it by service would split that pass.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, Tag};
use futures::future::try_join_all;
use serde::Serialize;

use super::ec2::ServiceZones;
use crate::endpoints::{self, Endpoint};
use crate::error::{AwsResultExt, Error, Result};
use crate::network::load_balancers::{Listener, LoadBalancerView};
use crate::network::security_groups::SecurityGroupView;
use crate::network::subnets::{Route, RouteTable, Subnet};

/// eksctl's tags on the VPC it creates for a cluster.
pub const TAG_EKSCTL_CLUSTER: &str = "alpha.eksctl.io/cluster-name";
pub fn kubernetes_cluster_tag(cluster: &str) -> String {
    format!("kubernetes.io/cluster/{cluster}")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VpcInfo {
    pub id: String,
    pub name: Option<String>,
    pub cidr: String,
    pub is_default: bool,
    /// How the VPC was chosen.
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NatGatewayView {
    pub id: String,
    pub state: String,
    pub subnet_id: String,
    /// `public` (internet, through its Elastic IP) or `private` (other networks only).
    pub connectivity: String,
}

/// Everything evrelay reads about one VPC.
#[derive(Debug, Clone, Default)]
pub struct VpcView {
    pub region: String,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub security_groups: Vec<SecurityGroupView>,
    pub nat_gateways: Vec<NatGatewayView>,
    /// Every load balancer in the VPC; listeners filled in for internal ALBs.
    pub load_balancers: Vec<LoadBalancerView>,
    /// Secrets Manager and EventBridge interface endpoints.
    pub endpoints: Vec<Endpoint>,
    /// The Secrets Manager and EventBridge endpoint services as the region lists them (full
    /// name and zones); empty when it lists neither.
    pub services: Vec<ServiceZones>,
}

impl VpcView {
    /// The full endpoint service name for `short` (`secretsmanager`, `events`), as listed.
    pub fn service_name(&self, short: &str) -> String {
        crate::network::service_names::full_name(&self.services, &self.region, short)
    }
}

fn region_of(ec2: &aws_sdk_ec2::Client) -> String {
    ec2.config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_default()
}

pub(super) fn tags_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

pub(super) fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

/// Which VPC to look in: `--vpc-id`, else the VPC eksctl tagged for `--cluster`, else the one
/// VPC holding internal ALBs. Unknown values fail (exit 1); ambiguity is a usage error (exit 2).
pub async fn resolve_scope(
    ec2: &aws_sdk_ec2::Client,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    vpc_id: Option<&str>,
    cluster: Option<&str>,
) -> Result<VpcInfo> {
    let region = region_of(ec2);
    if let Some(id) = vpc_id {
        let vpcs = describe_vpcs(ec2, vec![vpc_filter(id)]).await?;
        let mut vpc = vpcs.into_iter().next().ok_or_else(|| {
            Error::failed(format!("VPC `{id}` not found in {region}"))
                .hint("check the id and --region; without --vpc-id, discover looks for the VPC that holds internal ALBs")
        })?;
        vpc.reason = "given with --vpc-id".into();
        return Ok(vpc);
    }
    if let Some(cluster) = cluster {
        let by_eksctl = Filter::builder()
            .name(format!("tag:{TAG_EKSCTL_CLUSTER}"))
            .values(cluster)
            .build();
        let by_kubernetes = Filter::builder()
            .name("tag-key")
            .values(kubernetes_cluster_tag(cluster))
            .build();
        let (a, b) = tokio::try_join!(
            describe_vpcs(ec2, vec![by_eksctl]),
            describe_vpcs(ec2, vec![by_kubernetes])
        )?;
        let mut vpcs: BTreeMap<String, VpcInfo> = BTreeMap::new();
        for v in a.into_iter().chain(b) {
            vpcs.insert(v.id.clone(), v);
        }
        return match vpcs.len() {
            0 => Err(Error::failed(format!("no VPC tagged for cluster `{cluster}` in {region}")).hint(format!(
                "eksctl tags its VPC `{TAG_EKSCTL_CLUSTER}={cluster}` or `{}`; check the name and --region, or pass --vpc-id",
                kubernetes_cluster_tag(cluster)
            ))),
            1 => {
                let mut vpc = vpcs.into_values().next().unwrap_or_default();
                vpc.reason = format!("tagged for cluster `{cluster}`");
                Ok(vpc)
            }
            _ => Err(Error::usage(format!(
                "{} VPCs are tagged for cluster `{cluster}`: {}",
                vpcs.len(),
                vpcs.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .hint("pass --vpc-id to choose one")),
        };
    }
    let lbs = describe_load_balancers(elb).await?;
    let mut by_vpc: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for lb in lbs.iter().filter(|lb| lb.is_internal_alb()) {
        by_vpc
            .entry(lb.vpc_id.clone())
            .or_default()
            .push(lb.name.clone());
    }
    match by_vpc.len() {
        0 => Err(Error::failed(format!(
            "no internal application load balancer found in {region}"
        ))
        .hint("pass --vpc-id or --cluster to look in a VPC anyway, or check --region")),
        1 => {
            let (id, names) = by_vpc.into_iter().next().unwrap_or_default();
            let mut vpc = describe_vpcs(ec2, vec![vpc_filter(&id)])
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    Error::failed(format!(
                        "VPC `{id}` of the internal ALB `{}` not found",
                        names.join(", ")
                    ))
                })?;
            vpc.reason = format!("the only VPC with an internal ALB ({})", names.join(", "));
            Ok(vpc)
        }
        n => {
            let list: Vec<String> = by_vpc
                .iter()
                .map(|(vpc, names)| format!("{vpc} ({})", names.join(", ")))
                .collect();
            let first = by_vpc.keys().next().cloned().unwrap_or_default();
            Err(Error::usage(format!("{n} VPCs hold internal ALBs: {}", list.join("; ")))
                .hint(format!("choose one with --vpc-id, e.g. `evrelay discover --vpc-id {first}`, or pass --cluster")))
        }
    }
}

async fn describe_vpcs(ec2: &aws_sdk_ec2::Client, filters: Vec<Filter>) -> Result<Vec<VpcInfo>> {
    let vpcs = ec2
        .describe_vpcs()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeVpcs")?;
    Ok(vpcs
        .iter()
        .map(|v| VpcInfo {
            id: v.vpc_id().unwrap_or_default().to_string(),
            name: tags_map(v.tags()).remove("Name"),
            cidr: v.cidr_block().unwrap_or_default().to_string(),
            is_default: v.is_default().unwrap_or(false),
            reason: String::new(),
        })
        .collect())
}

/// Everything about one VPC, in six concurrent (paginated) calls, then the internal ALBs'
/// listeners concurrently.
pub async fn fetch_vpc_view(
    ec2: &aws_sdk_ec2::Client,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    vpc_id: &str,
) -> Result<VpcView> {
    let region = region_of(ec2);
    let listed = super::ec2::endpoint_services(ec2).await?;
    let services: Vec<ServiceZones> = [endpoints::SECRETS_MANAGER, endpoints::EVENTS]
        .iter()
        .filter_map(|short| crate::network::service_names::listed(&listed, &region, short))
        .cloned()
        .collect();
    let names = [endpoints::SECRETS_MANAGER, endpoints::EVENTS]
        .map(|short| crate::network::service_names::full_name(&services, &region, short));
    let (subnets, route_tables, security_groups, nat_gateways, load_balancers, endpoints) = tokio::try_join!(
        describe_subnets(ec2, vpc_id),
        describe_route_tables(ec2, vpc_id),
        super::security_groups::describe_security_groups(ec2, vpc_id),
        describe_nat_gateways(ec2, vpc_id),
        async {
            let mut lbs = describe_load_balancers(elb).await?;
            lbs.retain(|lb| lb.vpc_id == vpc_id);
            attach_listeners(elb, &mut lbs).await?;
            Ok(lbs)
        },
        crate::aws::vpc_endpoints::in_vpc(ec2, vpc_id, &names),
    )?;
    Ok(VpcView {
        region,
        subnets,
        route_tables,
        security_groups,
        nat_gateways,
        load_balancers,
        endpoints,
        services,
    })
}

async fn describe_subnets(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<Vec<Subnet>> {
    let subnets = ec2
        .describe_subnets()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeSubnets")?;
    Ok(subnets
        .iter()
        .map(|s| Subnet {
            id: s.subnet_id().unwrap_or_default().to_string(),
            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
            az: s.availability_zone().unwrap_or_default().to_string(),
            az_id: s.availability_zone_id().unwrap_or_default().to_string(),
            cidr: s.cidr_block().unwrap_or_default().to_string(),
            tags: tags_map(s.tags()),
        })
        .collect())
}

async fn describe_route_tables(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<Vec<RouteTable>> {
    use aws_sdk_ec2::types::RouteState;
    let tables = ec2
        .describe_route_tables()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeRouteTables")?;
    Ok(tables
        .iter()
        .map(|t| RouteTable {
            id: t.route_table_id().unwrap_or_default().to_string(),
            main: t.associations().iter().any(|a| a.main().unwrap_or(false)),
            subnet_ids: t
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id().map(str::to_string))
                .collect(),
            routes: t
                .routes()
                .iter()
                .filter_map(|r| {
                    let target = r
                        .gateway_id()
                        .or(r.nat_gateway_id())
                        .or(r.transit_gateway_id())
                        .or(r.vpc_peering_connection_id())
                        .or(r.network_interface_id())
                        .or(r.instance_id())
                        .or(r.egress_only_internet_gateway_id())
                        .unwrap_or("unknown");
                    Some(Route {
                        destination: r.destination_cidr_block()?.to_string(),
                        target: target.to_string(),
                        blackhole: r.state() == Some(&RouteState::Blackhole),
                    })
                })
                .collect(),
        })
        .collect())
}

async fn describe_nat_gateways(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Result<Vec<NatGatewayView>> {
    let nats = ec2
        .describe_nat_gateways()
        .filter(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeNatGateways")?;
    Ok(nats
        .iter()
        .map(|n| NatGatewayView {
            id: n.nat_gateway_id().unwrap_or_default().to_string(),
            state: n
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            subnet_id: n.subnet_id().unwrap_or_default().to_string(),
            // AWS omits it on NAT gateways made before private ones existed: public.
            connectivity: n
                .connectivity_type()
                .map(|c| c.as_str().to_ascii_lowercase())
                .unwrap_or_else(|| "public".into()),
        })
        .collect())
}

/// DescribeLoadBalancers has no VPC filter: every load balancer in the region, paginated.
async fn describe_load_balancers(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<Vec<LoadBalancerView>> {
    let lbs = elb
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeLoadBalancers")?;
    let mut views: Vec<LoadBalancerView> = lbs
        .iter()
        .map(|lb| LoadBalancerView {
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
            dns_name: lb.dns_name().unwrap_or_default().to_string(),
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            kind: lb
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            state: lb
                .state()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: lb.vpc_id().unwrap_or_default().to_string(),
            security_groups: lb.security_groups().to_vec(),
            subnet_ids: lb
                .availability_zones()
                .iter()
                .filter_map(|z| z.subnet_id().map(str::to_string))
                .collect(),
            listeners: Vec::new(),
            url: None,
            note: None,
        })
        .collect();
    views.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(views)
}

/// Listeners of every internal ALB, concurrently.
async fn attach_listeners(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    lbs: &mut [LoadBalancerView],
) -> Result<()> {
    let wanted: Vec<usize> = (0..lbs.len())
        .filter(|&i| lbs[i].is_internal_alb())
        .collect();
    let fetched =
        try_join_all(wanted.iter().map(|&i| describe_listeners(elb, &lbs[i].arn))).await?;
    for (i, listeners) in wanted.into_iter().zip(fetched) {
        lbs[i].listeners = listeners;
    }
    Ok(())
}

async fn describe_listeners(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Result<Vec<Listener>> {
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeListeners")?;
    let mut views: Vec<Listener> = listeners
        .iter()
        .filter_map(|l| {
            Some(Listener {
                protocol: l.protocol()?.as_str().to_string(),
                port: u16::try_from(l.port()?).ok()?,
            })
        })
        .collect();
    views.sort_by(|a, b| (&a.protocol, a.port).cmp(&(&b.protocol, b.port)));
    Ok(views)
}
