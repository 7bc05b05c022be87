//! Security groups with their rules as evrelay judges them: IPv4 and IPv6 ranges, group
//! references, and prefix lists expanded into the ranges they hold.

use std::collections::BTreeMap;

use crate::error::{AwsResultExt, Result};
use crate::network::security_groups::{Rule, SecurityGroupView};

use super::vpc_view::{tags_map, vpc_filter};

/// Every group of the VPC (paginated), sorted by name, prefix lists expanded.
pub async fn describe_security_groups(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Result<Vec<SecurityGroupView>> {
    let groups = ec2
        .describe_security_groups()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeSecurityGroups")?;
    let rules = |perms: &[aws_sdk_ec2::types::IpPermission]| -> Vec<Rule> {
        perms
            .iter()
            .map(|p| Rule {
                protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                from_port: p.from_port(),
                to_port: p.to_port(),
                cidrs: p
                    .ip_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ip().map(str::to_string))
                    .collect(),
                ipv6_cidrs: p
                    .ipv6_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ipv6().map(str::to_string))
                    .collect(),
                groups: p
                    .user_id_group_pairs()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_string))
                    .collect(),
                prefix_lists: p
                    .prefix_list_ids()
                    .iter()
                    .filter_map(|l| l.prefix_list_id().map(str::to_string))
                    .collect(),
                unread_prefix_lists: vec![],
            })
            .collect()
    };
    let mut views: Vec<SecurityGroupView> = groups
        .iter()
        .map(|g| SecurityGroupView {
            id: g.group_id().unwrap_or_default().to_string(),
            group_name: g.group_name().unwrap_or_default().to_string(),
            name: tags_map(g.tags()).remove("Name"),
            description: g.description().unwrap_or_default().to_string(),
            note: None,
            evrelay_managed: tags_map(g.tags())
                .get(crate::names::TAG_MANAGED)
                .is_some_and(|v| v == "true"),
            ingress: rules(g.ip_permissions()),
            egress: rules(g.ip_permissions_egress()),
        })
        .collect();
    views.sort_by(|a, b| (&a.group_name, &a.id).cmp(&(&b.group_name, &b.id)));
    expand_prefix_lists(ec2, &mut views).await;
    Ok(views)
}

/// Puts each named prefix list's entries into the rules that name it, so the rules are judged
/// by the addresses they really cover (customer-managed lists and AWS-managed ones such as
/// `com.amazonaws.<region>.s3` alike). A list that cannot be read (gone, or not shared with
/// this account) is recorded on the rule, never guessed.
async fn expand_prefix_lists(ec2: &aws_sdk_ec2::Client, views: &mut [SecurityGroupView]) {
    let mut ids: Vec<String> = views
        .iter()
        .flat_map(|g| g.ingress.iter().chain(g.egress.iter()))
        .flat_map(|r| r.prefix_lists.iter().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return;
    }
    let entries =
        futures::future::join_all(ids.iter().map(|id| prefix_list_entries(ec2, id))).await;
    let entries: BTreeMap<&String, Option<Vec<String>>> = ids
        .iter()
        .zip(entries.into_iter().map(Result::ok))
        .collect();
    for rule in views
        .iter_mut()
        .flat_map(|g| g.ingress.iter_mut().chain(g.egress.iter_mut()))
    {
        for id in rule.prefix_lists.clone() {
            match entries.get(&id) {
                Some(Some(cidrs)) => {
                    for cidr in cidrs {
                        if cidr.contains(':') {
                            rule.ipv6_cidrs.push(cidr.clone());
                        } else {
                            rule.cidrs.push(cidr.clone());
                        }
                    }
                }
                _ => rule.unread_prefix_lists.push(id),
            }
        }
    }
}

/// GetManagedPrefixListEntries: the CIDRs of one prefix list (paginated).
pub async fn prefix_list_entries(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<Vec<String>> {
    let entries: Vec<aws_sdk_ec2::types::PrefixListEntry> = ec2
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("GetManagedPrefixListEntries")?;
    Ok(entries
        .iter()
        .filter_map(|e| e.cidr().map(str::to_string))
        .collect())
}
