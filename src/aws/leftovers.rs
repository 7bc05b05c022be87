//! What evrelay made for a stack name that can outlive the stack: the VPC endpoints and their
//! security groups (tagged `evrelay:managed=true`, `evrelay:stack=<name>`), and
//! REVIEW_IN_PROGRESS stacks of that name (a first deploy stopped before its change set ran).
//! `status` shows them even when the stack is gone; `destroy` removes them.

use aws_sdk_cloudformation::types::StackStatus;
use serde::Serialize;

use crate::endpoints::Endpoint;
use crate::error::Result;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Leftovers {
    /// Live (or failed) endpoints tagged for the stack.
    pub endpoints: Vec<Endpoint>,
    /// The endpoints' own security groups, used by a listed endpoint or not.
    pub security_groups: Vec<String>,
    /// REVIEW_IN_PROGRESS stacks of this name: a change set was made and never executed.
    pub review_stacks: Vec<ReviewStack>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewStack {
    pub id: String,
    /// CreationTime, RFC 3339.
    pub created: Option<String>,
}

impl Leftovers {
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
            && self.security_groups.is_empty()
            && self.review_stacks.is_empty()
    }

    /// Pure: what is left over beside a live stack `stack_id` — its endpoints are listed as the
    /// stack's own, so only groups no listed endpoint uses and other review stacks remain.
    pub fn beside(mut self, stack_id: &str) -> Leftovers {
        let used: Vec<&String> = self
            .endpoints
            .iter()
            .flat_map(|e| &e.security_groups)
            .collect();
        self.security_groups.retain(|g| !used.contains(&g));
        self.review_stacks.retain(|s| s.id != stack_id);
        self.endpoints.clear();
        self
    }
}

/// Everything [`Leftovers`] names for `stack`, read at once.
pub async fn find(
    cfn: &aws_sdk_cloudformation::Client,
    ec2: &aws_sdk_ec2::Client,
    stack: &str,
) -> Result<Leftovers> {
    let (endpoints, groups, review) = tokio::join!(
        super::vpc_endpoints::managed_by(ec2, stack),
        super::vpc_endpoints::groups_for(ec2, stack),
        review_stacks(cfn, stack),
    );
    Ok(Leftovers {
        endpoints: endpoints?,
        security_groups: groups?,
        review_stacks: review?,
    })
}

/// REVIEW_IN_PROGRESS stacks named `stack`, oldest first (ListStacks, every page).
pub async fn review_stacks(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Vec<ReviewStack>> {
    let summaries = super::stacks::listed(cfn, stack, StackStatus::ReviewInProgress).await?;
    let mut out: Vec<(i64, ReviewStack)> = summaries
        .iter()
        .filter(|s| s.stack_status().map(|st| st.as_str()) == Some("REVIEW_IN_PROGRESS"))
        .map(|s| {
            let created = s.creation_time();
            (
                created.map(|t| t.secs()).unwrap_or_default(),
                ReviewStack {
                    id: s.stack_id().unwrap_or_default().to_string(),
                    created: created
                        .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
                },
            )
        })
        .collect();
    out.sort_by_key(|(t, _)| *t);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beside_a_live_stack_only_unused_groups_and_other_review_stacks_are_left_over() {
        let all = Leftovers {
            endpoints: vec![Endpoint {
                id: "vpce-1".into(),
                security_groups: vec!["sg-used".into()],
                ..Endpoint::default()
            }],
            security_groups: vec!["sg-used".into(), "sg-orphan".into()],
            review_stacks: vec![
                ReviewStack {
                    id: "arn:this".into(),
                    created: None,
                },
                ReviewStack {
                    id: "arn:other".into(),
                    created: None,
                },
            ],
        };
        let left = all.clone().beside("arn:this");
        assert!(left.endpoints.is_empty());
        assert_eq!(left.security_groups, ["sg-orphan"]);
        assert_eq!(left.review_stacks.len(), 1);
        assert_eq!(left.review_stacks[0].id, "arn:other");
        assert!(!all.is_empty());
        assert!(Leftovers::default().is_empty());
    }
}
