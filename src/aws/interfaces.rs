//! Who else is in a VPC: its network interfaces, as destroy asks whether something other than
//! the relay may reach Secrets Manager or EventBridge only through an endpoint evrelay made;
//! and releasing such an endpoint to the VPC (no evrelay stack owns it from then on).

use aws_sdk_ec2::types::{Filter, Tag};
use serde::Serialize;

use crate::error::{AwsResultExt, Result};
use crate::names::{TAG_MANAGED, TAG_STACK};

/// On an endpoint destroy left for the VPC's other workloads: the stack it was made for. Not
/// `evrelay:stack` (a later stack of that name would take it as its own and delete it) and
/// not `evrelay:managed` (nothing evrelay owns is left without a stack); the name still says
/// where it came from, for an operator who finds it in the console.
pub const TAG_RELEASED_FROM: &str = "evrelay:released-from";

/// One network interface, with what an operator needs to tell whose it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VpcInterface {
    pub id: String,
    pub subnet: String,
    pub description: String,
    /// EC2's InterfaceType: `interface`, `lambda`, `vpc_endpoint`, `natGateway`, `branch`, …
    pub interface_type: String,
    /// The account that owns the interface.
    pub owner: String,
    /// The service or principal that created it for you (`amazon-elb`, an AWS account id, a
    /// role's unique id), when it was not the owner.
    pub requester: Option<String>,
    /// Has a public IPv4 address: in a subnet routed to an internet gateway, it reaches AWS's
    /// public endpoints without any VPC endpoint.
    pub public_ip: bool,
}

fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

/// Every network interface in the VPC, every page.
pub async fn in_vpc(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<Vec<VpcInterface>> {
    let found: Vec<_> = ec2
        .describe_network_interfaces()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeNetworkInterfaces")?;
    Ok(found
        .iter()
        .map(|ni| VpcInterface {
            id: ni.network_interface_id().unwrap_or_default().to_string(),
            subnet: ni.subnet_id().unwrap_or_default().to_string(),
            description: ni.description().unwrap_or_default().to_string(),
            interface_type: ni
                .interface_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_else(|| "interface".into()),
            owner: ni.owner_id().unwrap_or_default().to_string(),
            requester: ni.requester_id().map(str::to_string),
            public_ip: ni.association().and_then(|a| a.public_ip()).is_some(),
        })
        .collect())
}

/// The network interfaces of every VPC endpoint in the VPC (any service, anyone's): an
/// endpoint's own interfaces receive its traffic, they do not depend on it.
pub async fn of_endpoints(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Result<Vec<String>> {
    let found: Vec<_> = ec2
        .describe_vpc_endpoints()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeVpcEndpoints")?;
    Ok(found
        .iter()
        .flat_map(|e| e.network_interface_ids().iter().cloned())
        .collect())
}

/// Hands an endpoint evrelay made (and its own security group) to the VPC: tagged
/// `evrelay:released-from=<stack>` first, then `evrelay:managed`, `evrelay:stack` and the deploy
/// run's tag removed,
/// so no evrelay stack of any name finds it as its own again, and a stop between the two
/// calls leaves it still owned (a rerun finishes). Returns the group ids released with it.
pub async fn release(
    ec2: &aws_sdk_ec2::Client,
    endpoint: &str,
    stack: &str,
) -> Result<Vec<String>> {
    let groups = match crate::aws::vpc_endpoints::by_ids(ec2, &[endpoint.to_string()])
        .await?
        .first()
    {
        Some(e) if !e.security_groups.is_empty() => {
            let out = ec2
                .describe_security_groups()
                .filters(
                    Filter::builder()
                        .name("group-id")
                        .set_values(Some(e.security_groups.clone()))
                        .build(),
                )
                .filters(
                    Filter::builder()
                        .name(format!("tag:{TAG_STACK}"))
                        .values(stack)
                        .build(),
                )
                .filters(
                    Filter::builder()
                        .name(format!("tag:{TAG_MANAGED}"))
                        .values("true")
                        .build(),
                )
                .send()
                .await
                .aws_context("DescribeSecurityGroups")?;
            out.security_groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect()
        }
        _ => Vec::new(),
    };
    let resources = [vec![endpoint.to_string()], groups.clone()].concat();
    ec2.create_tags()
        .set_resources(Some(resources.clone()))
        .tags(Tag::builder().key(TAG_RELEASED_FROM).value(stack).build())
        .send()
        .await
        .aws_context("CreateTags")?;
    ec2.delete_tags()
        .set_resources(Some(resources))
        .tags(Tag::builder().key(TAG_MANAGED).build())
        .tags(Tag::builder().key(TAG_STACK).build())
        .tags(Tag::builder().key(crate::endpoints::TAG_RUN).build())
        .send()
        .await
        .aws_context("DeleteTags")?;
    Ok(groups)
}
