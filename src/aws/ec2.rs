//! EC2 reads deploy's preflight needs beyond the VPC view (`crate::aws::vpc_view`): where the
//! given subnets and groups live, and the VPC's address ranges and DNS attributes.

use aws_sdk_ec2::types::{Filter, VpcAttributeName};

use crate::error::{AwsResultExt, Result};

/// (id, VPC id) for each subnet and each security group found; missing ids are simply absent.
pub async fn locate(
    ec2: &aws_sdk_ec2::Client,
    subnets: &[String],
    groups: &[String],
) -> Result<(Vec<(String, String)>, Vec<(String, String)>)> {
    let subnet_filter = Filter::builder()
        .name("subnet-id")
        .set_values(Some(subnets.to_vec()))
        .build();
    let group_filter = Filter::builder()
        .name("group-id")
        .set_values(Some(groups.to_vec()))
        .build();
    let (subnets, groups) = tokio::try_join!(
        async {
            ec2.describe_subnets()
                .filters(subnet_filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .aws_context("DescribeSubnets")
        },
        async {
            ec2.describe_security_groups()
                .filters(group_filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .aws_context("DescribeSecurityGroups")
        },
    )?;
    let subnets = subnets
        .iter()
        .map(|x| {
            (
                x.subnet_id().unwrap_or_default().to_string(),
                x.vpc_id().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let groups = groups
        .iter()
        .map(|g| {
            (
                g.group_id().unwrap_or_default().to_string(),
                g.vpc_id().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Ok((subnets, groups))
}

/// What the endpoint rules need about the VPC itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcFacts {
    pub id: String,
    /// Every associated IPv4 CIDR (primary and secondary).
    pub ipv4_cidrs: Vec<String>,
    pub ipv6_cidrs: Vec<String>,
    pub dns_support: bool,
    pub dns_hostnames: bool,
}

/// DescribeVpcs (for the CIDR associations) and DescribeVpcAttribute twice (one attribute per
/// call, as EC2 requires), concurrently.
pub async fn vpc_facts(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<VpcFacts> {
    let attribute = |name: VpcAttributeName| async move {
        ec2.describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(name)
            .send()
            .await
            .aws_context("DescribeVpcAttribute")
    };
    let (vpcs, support, hostnames) = tokio::try_join!(
        async {
            ec2.describe_vpcs()
                .vpc_ids(vpc_id)
                .send()
                .await
                .aws_context("DescribeVpcs")
        },
        attribute(VpcAttributeName::EnableDnsSupport),
        attribute(VpcAttributeName::EnableDnsHostnames),
    )?;
    let mut facts = VpcFacts {
        id: vpc_id.to_string(),
        dns_support: support
            .enable_dns_support()
            .and_then(|v| v.value())
            .unwrap_or(false),
        dns_hostnames: hostnames
            .enable_dns_hostnames()
            .and_then(|v| v.value())
            .unwrap_or(false),
        ..Default::default()
    };
    for vpc in vpcs.vpcs() {
        let associated = |state: Option<&str>| matches!(state, None | Some("associated"));
        for a in vpc.cidr_block_association_set() {
            let state = a
                .cidr_block_state()
                .and_then(|s| s.state())
                .map(|s| s.as_str());
            if let Some(c) = a.cidr_block().filter(|_| associated(state)) {
                facts.ipv4_cidrs.push(c.to_string());
            }
        }
        if facts.ipv4_cidrs.is_empty() {
            facts
                .ipv4_cidrs
                .extend(vpc.cidr_block().map(str::to_string));
        }
        for a in vpc.ipv6_cidr_block_association_set() {
            let state = a
                .ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .map(|s| s.as_str());
            if let Some(c) = a.ipv6_cidr_block().filter(|_| associated(state)) {
                facts.ipv6_cidrs.push(c.to_string());
            }
        }
    }
    Ok(facts)
}

/// The VPC of each subnet found, as (subnet id, VPC id); missing subnets are simply absent.
pub async fn subnet_vpcs(
    ec2: &aws_sdk_ec2::Client,
    ids: Vec<String>,
) -> Result<Vec<(String, String)>> {
    let subnets: Vec<_> = ec2
        .describe_subnets()
        .filters(
            Filter::builder()
                .name("subnet-id")
                .set_values(Some(ids))
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeSubnets")?;
    Ok(subnets
        .iter()
        .filter_map(|s| Some((s.subnet_id()?.to_string(), s.vpc_id()?.to_string())))
        .collect())
}

/// A network interface as destroy shows what CloudFormation waits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceView {
    pub id: String,
    pub status: String,
    /// How long ago it was attached, when it is.
    pub attached_for: Option<std::time::Duration>,
    pub subnet: String,
}

/// The network interfaces whose description starts with `prefix` (Lambda's are
/// `AWS Lambda VPC ENI-<function>…`), every page.
pub async fn interfaces_described(
    ec2: &aws_sdk_ec2::Client,
    prefix: &str,
) -> Result<Vec<InterfaceView>> {
    let filter = Filter::builder()
        .name("description")
        .values(format!("{prefix}*"))
        .build();
    let mut pages = ec2
        .describe_network_interfaces()
        .filters(filter)
        .into_paginator()
        .send();
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.aws_context("DescribeNetworkInterfaces")?;
        for ni in page.network_interfaces() {
            items.push(InterfaceView {
                id: ni.network_interface_id().unwrap_or_default().to_string(),
                status: ni
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                attached_for: ni
                    .attachment()
                    .and_then(|a| a.attach_time())
                    .and_then(|t| std::time::SystemTime::try_from(*t).ok())
                    .and_then(|t| std::time::SystemTime::now().duration_since(t).ok()),
                subnet: ni.subnet_id().unwrap_or("-").to_string(),
            });
        }
    }
    Ok(items)
}

/// The security groups of the network interface that holds `ip` in this region (none when no
/// interface does: an address outside AWS, or one only routed to).
pub async fn groups_at_address(ec2: &aws_sdk_ec2::Client, ip: &str) -> Result<Vec<String>> {
    let name = if ip.contains(':') {
        "ipv6-addresses.ipv6-address"
    } else {
        "addresses.private-ip-address"
    };
    let out = ec2
        .describe_network_interfaces()
        .filters(Filter::builder().name(name).values(ip).build())
        .send()
        .await
        .aws_context("DescribeNetworkInterfaces")?;
    let mut groups: Vec<String> = out
        .network_interfaces()
        .iter()
        .flat_map(|ni| {
            ni.groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
        })
        .collect();
    groups.sort();
    groups.dedup();
    Ok(groups)
}

/// The Availability Zones an endpoint service is offered in (DescribeVpcEndpointServices), by
/// name (this account's) and by ID (the same in every account).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceZones {
    pub service: String,
    pub names: Vec<String>,
    pub ids: Vec<String>,
}

/// Every endpoint service the region offers, with its zones: the names are read, not built
/// (`crate::network::service_names`), and the zones come with them. Every page.
pub async fn endpoint_services(ec2: &aws_sdk_ec2::Client) -> Result<Vec<ServiceZones>> {
    let mut services = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ec2
            .describe_vpc_endpoint_services()
            .set_next_token(token.take())
            .send()
            .await
            .aws_context("DescribeVpcEndpointServices")?;
        services.extend(out.service_details().iter().filter_map(|d| {
            Some(ServiceZones {
                service: d.service_name()?.to_string(),
                names: d.availability_zones().to_vec(),
                ids: d.availability_zone_ids().to_vec(),
            })
        }));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(services),
        }
    }
}
