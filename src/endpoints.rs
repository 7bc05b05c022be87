//! The VPC interface endpoints a relay in private subnets needs: Secrets Manager (for its API
//! key) and, without NAT egress, EventBridge (for the response event). evrelay reuses one that
//! exists (a second Secrets Manager endpoint with private DNS fails on AWS with "conflicting
//! DNS domain"), creates what is missing tagged as its own, and deletes only what it tagged.

use std::time::{Duration, Instant};

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification, VpcEndpointType};
use serde::Serialize;

use crate::error::{AwsResultExt, Error, Result};
use crate::names::{TAG_MANAGED, TAG_STACK};

pub use crate::network::endpoints::{service_name, EVENTS, SECRETS_MANAGER};

/// An interface endpoint, reduced to what evrelay decides on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub vpc_id: String,
    pub service: String,
    pub interface: bool,
    /// Lower case, as EC2 sends it: pending, available, deleting, deleted, failed, …
    pub state: String,
    pub private_dns: bool,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// Tagged `evrelay:managed=true`: evrelay created it.
    pub managed: bool,
    /// The `evrelay:stack` tag: which relay it was created for.
    pub stack: Option<String>,
}

impl Endpoint {
    fn from_sdk(e: &aws_sdk_ec2::types::VpcEndpoint) -> Self {
        let tag = |k: &str| {
            e.tags()
                .iter()
                .find(|t| t.key() == Some(k))
                .and_then(|t| t.value())
                .map(str::to_string)
        };
        Self {
            id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
            vpc_id: e.vpc_id().unwrap_or_default().to_string(),
            service: e.service_name().unwrap_or_default().to_string(),
            interface: e
                .vpc_endpoint_type()
                .is_some_and(|t| t.as_str().eq_ignore_ascii_case("interface")),
            state: e
                .state()
                .map(|s| s.as_str().to_ascii_lowercase())
                .unwrap_or_default(),
            private_dns: e.private_dns_enabled().unwrap_or(false),
            subnets: e.subnet_ids().to_vec(),
            security_groups: e
                .groups()
                .iter()
                .filter_map(|g| g.group_id())
                .map(str::to_string)
                .collect(),
            managed: tag(TAG_MANAGED).as_deref() == Some("true"),
            stack: tag(TAG_STACK),
        }
    }

    /// Still there, or on its way: not deleted, deleting, failed, rejected or expired.
    pub fn is_live(&self) -> bool {
        matches!(
            self.state.as_str(),
            "available" | "pending" | "pendingacceptance" | "partial"
        )
    }
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

async fn describe(ec2: &aws_sdk_ec2::Client, filters: Vec<Filter>) -> Result<Vec<Endpoint>> {
    let mut out = Vec::new();
    let mut pages = ec2
        .describe_vpc_endpoints()
        .set_filters(Some(filters))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        out.extend(
            page.aws_context("DescribeVpcEndpoints")?
                .vpc_endpoints()
                .iter()
                .map(Endpoint::from_sdk),
        );
    }
    Ok(out)
}

/// The endpoints for one service in one VPC (any owner, any state).
pub async fn in_vpc(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    service_name: &str,
) -> Result<Vec<Endpoint>> {
    describe(
        ec2,
        vec![
            filter("vpc-id", vpc_id),
            filter("service-name", service_name),
        ],
    )
    .await
}

/// The live endpoints evrelay created for this stack: both tags, never just one.
pub async fn managed_by(ec2: &aws_sdk_ec2::Client, stack: &str) -> Result<Vec<Endpoint>> {
    let found = describe(
        ec2,
        vec![
            filter(&format!("tag:{TAG_STACK}"), stack),
            filter(&format!("tag:{TAG_MANAGED}"), "true"),
        ],
    )
    .await?;
    Ok(found
        .into_iter()
        .filter(|e| e.managed && e.stack.as_deref() == Some(stack) && e.is_live())
        .collect())
}

/// The endpoint to reuse: a live interface endpoint with private DNS (the relay's SDK calls
/// resolve the service's public name to it). An available one beats a pending one.
pub fn reusable(endpoints: &[Endpoint]) -> Option<&Endpoint> {
    let candidates = endpoints
        .iter()
        .filter(|e| e.interface && e.private_dns && e.is_live());
    candidates.min_by_key(|e| (e.state != "available", e.id.clone()))
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub vpc_id: String,
    pub service_name: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub stack: String,
}

/// CreateVpcEndpoint: interface, private DNS on, tagged as evrelay's. The client token makes
/// the SDK's retries of this call create one endpoint, not several.
pub async fn create(ec2: &aws_sdk_ec2::Client, new: &NewEndpoint) -> Result<Endpoint> {
    let short = new.service_name.rsplit('.').next().unwrap_or("endpoint");
    let tags = TagSpecification::builder()
        .resource_type(ResourceType::VpcEndpoint)
        .tags(
            Tag::builder()
                .key("Name")
                .value(format!("{}-{short}", new.stack))
                .build(),
        )
        .tags(Tag::builder().key(TAG_STACK).value(&new.stack).build())
        .tags(Tag::builder().key(TAG_MANAGED).value("true").build())
        .build();
    let out = ec2
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&new.vpc_id)
        .service_name(&new.service_name)
        .set_subnet_ids(Some(new.subnets.clone()))
        .set_security_group_ids(Some(new.security_groups.clone()))
        .private_dns_enabled(true)
        .tag_specifications(tags)
        .client_token(crate::stack::request_token(short))
        .send()
        .await
        .aws_context("CreateVpcEndpoint")?;
    out.vpc_endpoint().map(Endpoint::from_sdk).ok_or_else(|| {
        Error::failed(format!(
            "CreateVpcEndpoint for {} returned no endpoint",
            new.service_name
        ))
    })
}

/// The endpoints with these ids, in any state; an id EC2 no longer knows is simply absent.
pub async fn by_ids(ec2: &aws_sdk_ec2::Client, ids: &[String]) -> Result<Vec<Endpoint>> {
    // One id per call: with several, one unknown id fails the whole call.
    let calls = ids.iter().map(|id| async move {
        match ec2
            .describe_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .vpc_endpoints()
                .iter()
                .map(Endpoint::from_sdk)
                .collect::<Vec<_>>()),
            Err(e) if e.code() == Some("InvalidVpcEndpointId.NotFound") => Ok(Vec::new()),
            Err(e) => Err(Error::aws("DescribeVpcEndpoints", e)),
        }
    });
    Ok(futures::future::try_join_all(calls)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// Polls DescribeVpcEndpoints until every endpoint is available (AWS: pending → available,
/// a minute or two). A failed or rejected endpoint stops the wait with its id.
pub async fn wait_available(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
    poll: Duration,
    timeout: Duration,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    loop {
        let found = by_ids(ec2, ids).await?;
        if let Some(bad) = found.iter().find(|e| {
            matches!(
                e.state.as_str(),
                "failed" | "rejected" | "expired" | "deleted" | "deleting"
            )
        }) {
            return Err(Error::failed(format!("VPC endpoint {} ({}) is {}", bad.id, bad.service, bad.state))
                .hint("look at the endpoint in the VPC console, delete it, and run `evrelay deploy` again"));
        }
        if found.len() == ids.len() && found.iter().all(|e| e.state == "available") {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(Error::failed(format!(
                "VPC endpoints {} not available after {}",
                ids.join(", "),
                crate::stack::render::duration(timeout)
            ))
            .hint("run `evrelay deploy` again: it reuses the endpoints once they are available"));
        }
        tokio::time::sleep(poll).await;
    }
}

/// Re-tags an endpoint evrelay made as another stack's (`evrelay:stack`), so that stack's
/// destroy removes it and this one's leaves it.
pub async fn hand_over(ec2: &aws_sdk_ec2::Client, id: &str, stack: &str) -> Result<()> {
    ec2.create_tags()
        .resources(id)
        .tags(Tag::builder().key(TAG_STACK).value(stack).build())
        .send()
        .await
        .aws_context("CreateTags")?;
    Ok(())
}

/// DeleteVpcEndpoints; an endpoint AWS refused to delete is an error naming it.
pub async fn delete(ec2: &aws_sdk_ec2::Client, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let out = ec2
        .delete_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(ids.to_vec()))
        .send()
        .await
        .aws_context("DeleteVpcEndpoints")?;
    if let Some(item) = out.unsuccessful().first() {
        let why = item
            .error()
            .and_then(|e| e.message())
            .unwrap_or("no reason given");
        return Err(Error::failed(format!(
            "DeleteVpcEndpoints failed for {}: {why}",
            item.resource_id().unwrap_or("an endpoint")
        ))
        .hint(
            "run `evrelay destroy` again; it deletes only the endpoints it tagged for this stack",
        ));
    }
    Ok(())
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
            subnets: vec![],
            security_groups: vec![],
            managed: false,
            stack: None,
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
    }

    #[test]
    fn one_subnet_per_zone() {
        let s = |id: &str, az: &str| (id.to_string(), az.to_string());
        assert_eq!(
            one_subnet_per_az(&[s("a", "1a"), s("b", "1a"), s("c", "1b")]),
            ["a", "c"]
        );
    }
}
