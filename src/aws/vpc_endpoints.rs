//! EC2 calls for the interface endpoints evrelay creates, reuses and deletes, and for each
//! created endpoint's own security group. Only what is tagged `evrelay:managed=true` (and
//! `evrelay:stack`) is ever changed or deleted. Just over 400 lines: the endpoint and its
//! group are made, handed over and deleted together, so their calls stay side by side.

use std::time::{Duration, Instant};

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, ResourceType, Tag, TagSpecification, VpcEndpointType,
};

use crate::endpoints::{Endpoint, EndpointGroup, NewEndpoint, TAG_RUN};
use crate::error::{AwsResultExt, Error, Result};
use crate::names::{TAG_MANAGED, TAG_STACK};

pub(crate) fn endpoint_from_sdk(e: &aws_sdk_ec2::types::VpcEndpoint) -> Endpoint {
    let tag = |k: &str| {
        e.tags()
            .iter()
            .find(|t| t.key() == Some(k))
            .and_then(|t| t.value())
            .map(str::to_string)
    };
    Endpoint {
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

fn filter(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

fn ours(stack: &str) -> [Filter; 2] {
    [
        filter(&format!("tag:{TAG_STACK}"), &[stack.to_string()]),
        filter(&format!("tag:{TAG_MANAGED}"), &["true".to_string()]),
    ]
}

async fn describe(ec2: &aws_sdk_ec2::Client, filters: Vec<Filter>) -> Result<Vec<Endpoint>> {
    let found: Vec<_> = ec2
        .describe_vpc_endpoints()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeVpcEndpoints")?;
    let mut out: Vec<Endpoint> = found.iter().map(endpoint_from_sdk).collect();
    out.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
    Ok(out)
}

/// Every interface endpoint in the VPC for one of `services` (any owner, any state).
pub async fn in_vpc(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    services: &[String],
) -> Result<Vec<Endpoint>> {
    describe(
        ec2,
        vec![
            filter("vpc-id", &[vpc_id.to_string()]),
            filter("service-name", services),
            filter("vpc-endpoint-type", &["Interface".to_string()]),
        ],
    )
    .await
}

/// The live endpoints evrelay created for this stack: both tags, never just one.
pub async fn managed_by(ec2: &aws_sdk_ec2::Client, stack: &str) -> Result<Vec<Endpoint>> {
    let found = describe(ec2, ours(stack).to_vec()).await?;
    Ok(found
        .into_iter()
        // A failed endpoint is still there and still holds its group: destroy deletes it too.
        .filter(|e| {
            e.managed && e.stack.as_deref() == Some(stack) && (e.is_live() || e.state == "failed")
        })
        .collect())
}

/// Tagged as the create call makes it (never after): what a call answered too late for
/// this run to see is still found by its `run` tag.
fn tags(resource: ResourceType, name: &str, stack: &str, run: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource)
        .tags(Tag::builder().key("Name").value(name).build())
        .tags(Tag::builder().key(TAG_STACK).value(stack).build())
        .tags(Tag::builder().key(TAG_MANAGED).value("true").build())
        .tags(Tag::builder().key(TAG_RUN).value(run).build())
        .build()
}

/// The endpoint's own group: found again by name and tags when a previous run created it
/// (and then failed), else created and opened to the VPC's CIDRs on 443. The id, and whether
/// this call made it.
pub async fn ensure_group(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    stack: &str,
    group: &EndpointGroup,
    run: &str,
) -> Result<(String, bool)> {
    let mut filters = ours(stack).to_vec();
    filters.push(filter("vpc-id", &[vpc_id.to_string()]));
    filters.push(filter("group-name", std::slice::from_ref(&group.name)));
    let existing = ec2
        .describe_security_groups()
        .set_filters(Some(filters))
        .send()
        .await
        .aws_context("DescribeSecurityGroups")?;
    if let Some(id) = existing.security_groups().iter().find_map(|g| g.group_id()) {
        return Ok((id.to_string(), false));
    }
    let created = ec2
        .create_security_group()
        .vpc_id(vpc_id)
        .group_name(&group.name)
        .description(format!(
            "evrelay {stack}: TCP 443 from the VPC to its interface endpoint"
        ))
        .tag_specifications(tags(ResourceType::SecurityGroup, &group.name, stack, run))
        .send()
        .await
        .aws_context("CreateSecurityGroup")?;
    let id = created.group_id().unwrap_or_default().to_string();
    let mut rule = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443);
    for cidr in &group.ipv4_cidrs {
        rule = rule.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .description("the VPC")
                .build(),
        );
    }
    for cidr in &group.ipv6_cidrs {
        rule = rule.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(cidr)
                .description("the VPC")
                .build(),
        );
    }
    let opened = ec2
        .authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(rule.build())
        .send()
        .await
        .aws_context("AuthorizeSecurityGroupIngress");
    if let Err(e) = opened {
        let _ = ec2.delete_security_group().group_id(&id).send().await;
        return Err(e);
    }
    Ok((id, true))
}

/// CreateVpcEndpoint (interface, private DNS, tagged as evrelay's and this run's) in the group
/// [`ensure_group`] gave. The client token makes the SDK's retries create one endpoint; a
/// refused endpoint takes a group made for it back with it, so nothing is left half-made.
pub async fn create(
    ec2: &aws_sdk_ec2::Client,
    new: &NewEndpoint,
    (group_id, fresh): (String, bool),
    run: &str,
) -> Result<Endpoint> {
    let short = new.service_name.rsplit('.').next().unwrap_or("endpoint");
    let out = ec2
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&new.vpc_id)
        .service_name(&new.service_name)
        .set_subnet_ids(Some(new.subnets.clone()))
        .security_group_ids(&group_id)
        .private_dns_enabled(true)
        .tag_specifications(tags(
            ResourceType::VpcEndpoint,
            &format!("{}-{short}", new.stack),
            &new.stack,
            run,
        ))
        .client_token(crate::stack::request_token(short))
        .send()
        .await
        .aws_context("CreateVpcEndpoint");
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            if fresh {
                let _ = ec2.delete_security_group().group_id(&group_id).send().await;
            }
            return Err(e);
        }
    };
    out.vpc_endpoint().map(endpoint_from_sdk).ok_or_else(|| {
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
                .map(endpoint_from_sdk)
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

/// The groups among `ids` that evrelay created for `stack` (both tags).
async fn managed_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
    stack: Option<&str>,
) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut filters = vec![
        filter("group-id", ids),
        filter(&format!("tag:{TAG_MANAGED}"), &["true".to_string()]),
    ];
    if let Some(stack) = stack {
        filters.push(filter(&format!("tag:{TAG_STACK}"), &[stack.to_string()]));
    }
    group_ids(ec2, filters).await
}

/// DescribeSecurityGroups with these filters: the ids.
async fn group_ids(ec2: &aws_sdk_ec2::Client, filters: Vec<Filter>) -> Result<Vec<String>> {
    let out = ec2
        .describe_security_groups()
        .set_filters(Some(filters))
        .send()
        .await
        .aws_context("DescribeSecurityGroups")?;
    Ok(out
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id().map(str::to_string))
        .collect())
}

/// Re-tags an endpoint evrelay made (and its own group) as another stack's, so that stack's
/// destroy removes them and this one's leaves them.
pub async fn hand_over(ec2: &aws_sdk_ec2::Client, id: &str, stack: &str) -> Result<()> {
    let groups = match by_ids(ec2, &[id.to_string()]).await?.first() {
        Some(e) => managed_groups(ec2, &e.security_groups, None).await?,
        None => Vec::new(),
    };
    ec2.create_tags()
        .set_resources(Some([vec![id.to_string()], groups].concat()))
        .tags(Tag::builder().key(TAG_STACK).value(stack).build())
        .send()
        .await
        .aws_context("CreateTags")?;
    Ok(())
}

/// DeleteVpcEndpoints; an endpoint AWS refused to delete is an error naming it. Their own
/// groups go after the endpoints are gone: [`delete_orphan_groups`].
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

/// The groups evrelay created for this stack's endpoints (both tags), in use or not.
pub async fn groups_for(ec2: &aws_sdk_ec2::Client, stack: &str) -> Result<Vec<String>> {
    group_ids(ec2, ours(stack).to_vec()).await
}

/// The groups evrelay created for this stack's endpoints (both tags) that no endpoint still
/// uses, deleted: after destroy deleted the endpoints, and also what an interrupted destroy
/// left. EC2 holds a group until the endpoint's network interfaces are gone (minutes on AWS,
/// DependencyViolation meanwhile): retried every `poll` until `timeout`. Returns the ids.
pub async fn delete_orphan_groups(
    ec2: &aws_sdk_ec2::Client,
    stack: &str,
    poll: Duration,
    timeout: Duration,
) -> Result<Vec<String>> {
    let groups = groups_for(ec2, stack).await?;
    if groups.is_empty() {
        return Ok(groups);
    }
    let started = Instant::now();
    let mut deleted = Vec::new();
    let mut left = groups;
    loop {
        let users = describe(
            ec2,
            vec![filter("vpc-endpoint-type", &["Interface".into()])],
        )
        .await?;
        let mut waiting = Vec::new();
        for g in left {
            if users
                .iter()
                .any(|e| e.state != "deleted" && e.security_groups.contains(&g))
            {
                waiting.push(g);
                continue;
            }
            match ec2.delete_security_group().group_id(&g).send().await {
                Ok(_) => deleted.push(g),
                Err(e) if e.code() == Some("InvalidGroup.NotFound") => {}
                Err(e) if e.code() == Some("DependencyViolation") => waiting.push(g),
                Err(e) => return Err(Error::aws("DeleteSecurityGroup", e)),
            }
        }
        left = waiting;
        if left.is_empty() {
            return Ok(deleted);
        }
        if started.elapsed() >= timeout {
            return Err(Error::failed(format!(
                "security groups {} are still in use after {}",
                left.join(", "),
                crate::stack::render::duration(timeout)
            ))
            .hint("run `evrelay destroy` again later: it deletes them once EC2 releases the endpoints' network interfaces"));
        }
        tokio::time::sleep(poll).await;
    }
}

/// What one deploy run made, found by its run tag: its endpoints (not yet deleted) and its
/// endpoints' groups.
pub async fn made_by_run(
    ec2: &aws_sdk_ec2::Client,
    run: &str,
) -> Result<(Vec<Endpoint>, Vec<String>)> {
    let tagged = [filter(&format!("tag:{TAG_RUN}"), &[run.to_string()])];
    let endpoints = describe(ec2, tagged.to_vec())
        .await?
        .into_iter()
        .filter(|e| e.is_live() || e.state == "failed")
        .collect();
    Ok((endpoints, group_ids(ec2, tagged.to_vec()).await?))
}

/// Deletes these groups, waiting (every `poll`, up to `timeout`) while EC2 still holds one for
/// a deleted endpoint's network interfaces. Returns (deleted, still held).
pub async fn delete_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
    poll: Duration,
    timeout: Duration,
) -> (Vec<String>, Vec<String>) {
    let started = Instant::now();
    let mut deleted = Vec::new();
    let mut left = ids.to_vec();
    loop {
        let mut held = Vec::new();
        for g in left {
            match ec2.delete_security_group().group_id(&g).send().await {
                Ok(_) => deleted.push(g),
                Err(e) if e.code() == Some("InvalidGroup.NotFound") => {}
                Err(_) => held.push(g),
            }
        }
        left = held;
        if left.is_empty() || started.elapsed() >= timeout {
            return (deleted, left);
        }
        tokio::time::sleep(poll).await;
    }
}
