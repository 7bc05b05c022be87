//! The region's other relays, as destroy needs them: who inherits an endpoint in their VPC, and
//! whether the shared Logs policy is still someone's. Asked before the prompt (for the plan) and
//! again once the stack is gone, since a delete can take 45 minutes and relays come and go.

use crate::error::Result;
use crate::names::TAG_MANAGED;
use crate::stack::{self, StackInfo};

/// The other stacks in the region that are, or may be about to become, relays.
pub(super) struct Region {
    /// Tagged `evrelay:managed=true`, not this one, not being deleted (a DELETE_FAILED relay
    /// still has its function and its network interfaces).
    relays: Vec<StackInfo>,
    /// REVIEW_IN_PROGRESS stacks: they show no tags yet, and a first deploy is one until its
    /// change set runs, after it has put the Logs policy.
    under_review: usize,
}

impl Region {
    pub async fn read(cfn: &aws_sdk_cloudformation::Client, this_stack: &str) -> Result<Self> {
        let stacks = stack::list_stacks(cfn).await?;
        Ok(Self::of(stacks, this_stack))
    }

    fn of(stacks: Vec<StackInfo>, this_stack: &str) -> Self {
        let mut region = Region {
            relays: Vec::new(),
            under_review: 0,
        };
        for s in stacks {
            if s.name == this_stack
                || matches!(s.status.as_str(), "DELETE_IN_PROGRESS" | "DELETE_COMPLETE")
            {
                continue;
            }
            if s.status == "REVIEW_IN_PROGRESS" {
                region.under_review += 1;
            } else if s.tags.iter().any(|(k, v)| k == TAG_MANAGED && v == "true") {
                region.relays.push(s);
            }
        }
        region
    }

    /// Another relay (or a stack that may become one) could still need the region's shared
    /// Logs policy. Unsure counts as yes: a policy left over costs one of ten slots until the
    /// next destroy; one deleted under a new relay loses its events' logs.
    pub fn has_other_relays(&self) -> bool {
        !self.relays.is_empty() || self.under_review > 0
    }

    /// The description prefix of each relay's Lambda interfaces, this one's included: theirs
    /// do not make an endpoint a workload's (another relay inherits it by name instead).
    pub fn relay_interface_prefixes(&self, this_stack: &str) -> Vec<String> {
        std::iter::once(this_stack)
            .chain(self.relays.iter().map(|s| s.name.as_str()))
            .map(|s| crate::names::RelayNames::new(s).eni_description_prefix())
            .collect()
    }
}

/// Each other relay and the VPC it runs in (from its first subnet).
pub(super) async fn by_vpc(
    ec2: &aws_sdk_ec2::Client,
    region: &Region,
) -> Result<Vec<(String, String)>> {
    let relays: Vec<(String, String)> = region
        .relays
        .iter()
        .filter_map(|s| Some((s.name.clone(), first_subnet(s)?)))
        .collect();
    if relays.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = relays.iter().map(|(_, subnet)| subnet.clone()).collect();
    let vpcs = crate::aws::ec2::subnet_vpcs(ec2, ids).await?;
    Ok(relays
        .into_iter()
        .filter_map(|(stack, subnet)| {
            let (_, vpc) = vpcs.iter().find(|(s, _)| *s == subnet)?;
            Some((stack, vpc.clone()))
        })
        .collect())
}

fn first_subnet(s: &StackInfo) -> Option<String> {
    let (_, ids) = s.parameters.iter().find(|(k, _)| k == "SubnetIds")?;
    ids.split(',')
        .next()
        .map(str::trim)
        .filter(|v| v.starts_with("subnet-"))
        .map(str::to_string)
}

/// The relay that inherits an endpoint in `vpc`: the first other relay there (by name).
pub(super) fn heir(vpc: &str, others: &[(String, String)]) -> Option<String> {
    others
        .iter()
        .filter(|(_, v)| v == vpc)
        .map(|(stack, _)| stack.clone())
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_goes_to_the_first_other_relay_in_its_vpc_or_nowhere() {
        let others = vec![
            ("zeta".to_string(), "vpc-1".to_string()),
            ("alpha".to_string(), "vpc-1".to_string()),
            ("b".to_string(), "vpc-2".to_string()),
        ];
        assert_eq!(heir("vpc-1", &others).as_deref(), Some("alpha"));
        assert_eq!(heir("vpc-3", &others), None);
        assert_eq!(heir("vpc-1", &[]), None);
    }

    fn stack(name: &str, status: &str, managed: bool) -> StackInfo {
        StackInfo {
            name: name.into(),
            id: format!("arn:{name}"),
            status: status.into(),
            reason: None,
            outputs: Vec::new(),
            parameters: vec![("SubnetIds".into(), "subnet-a,subnet-b".into())],
            tags: if managed {
                vec![(TAG_MANAGED.into(), "true".into())]
            } else {
                Vec::new()
            },
            role_arn: None,
        }
    }

    #[test]
    fn a_relay_being_made_or_stuck_keeps_the_shared_policy_and_a_deleted_one_does_not() {
        let alone = Region::of(
            vec![
                stack("this", "DELETE_IN_PROGRESS", true),
                stack("gone", "DELETE_IN_PROGRESS", true),
                stack("app", "CREATE_COMPLETE", false),
            ],
            "this",
        );
        assert!(!alone.has_other_relays());
        for status in ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "DELETE_FAILED"] {
            let region = Region::of(
                vec![stack("other", status, status != "REVIEW_IN_PROGRESS")],
                "this",
            );
            assert!(region.has_other_relays(), "{status}");
        }
        let region = Region::of(vec![stack("other", "DELETE_FAILED", true)], "this");
        assert_eq!(first_subnet(&region.relays[0]).as_deref(), Some("subnet-a"));
    }
}
