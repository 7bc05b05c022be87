//! The least-privilege IAM policy for each evrelay job (`evrelay policy`): pure data, built from
//! the stack's names, so an operator can hand a job's policy to whoever grants permissions
//! before anything runs. The integration test `tests/it/policy.rs` records every action the
//! commands really call (the strict emulator's recorder) and fails when one is missing here.

mod jobs;
mod stack_resources;

pub use stack_resources::{template_resource_types, RELAY_ROLE_ID, STACK_RESOURCES};

use serde::Serialize;
use serde_json::Value;

use crate::names::RelayNames;

/// IAM's current policy language version (IAM JSON policy reference, "Version").
pub const POLICY_VERSION: &str = "2012-10-17";

/// What an operator does with evrelay, each needing its own permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// discover + deploy (including `--no-execute` / `--execute` and an interrupted deploy's
    /// clean-up).
    Deploy,
    /// status, top, send, logs, dlq peek/drain/redrive/purge.
    Operate,
    /// destroy.
    Destroy,
    /// What CloudFormation itself does to the stack's resources while deploy and destroy run:
    /// it acts with the caller's permissions, or with the service role's (`--role-arn`). A
    /// document apart, so each fits one managed policy and a service role gets only this one.
    StackResources,
}

impl Job {
    pub const ALL: [Job; 4] = [Job::Deploy, Job::Operate, Job::Destroy, Job::StackResources];

    pub fn name(self) -> &'static str {
        match self {
            Job::Deploy => "deploy",
            Job::Operate => "operate",
            Job::Destroy => "destroy",
            Job::StackResources => "stack-resources",
        }
    }

    fn sid_prefix(self) -> &'static str {
        match self {
            Job::Deploy => "Deploy",
            Job::Operate => "Operate",
            Job::Destroy => "Destroy",
            Job::StackResources => "Resources",
        }
    }
}

/// Where the ARNs point: the stack's names, the region (`*` when none is configured) and the
/// partition it belongs to. The account stays `*`: `evrelay policy` makes no AWS call, and a
/// policy attached in an account only ever applies to that account's resources.
#[derive(Debug, Clone)]
pub struct Scope {
    pub names: RelayNames,
    pub region: String,
    pub partition: &'static str,
    /// `--role-arn`: the CloudFormation service role deploy and destroy may pass.
    pub role_arn: Option<String>,
}

impl Scope {
    pub fn new(stack: &str, region: Option<&str>, role_arn: Option<&str>) -> Scope {
        let region = region.filter(|r| !r.is_empty()).unwrap_or("*");
        Scope {
            names: RelayNames::new(stack),
            region: region.to_string(),
            partition: partition(region),
            role_arn: role_arn.map(str::to_string),
        }
    }

    /// `arn:<partition>:<service>:<region>:*:<resource>`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:*:{resource}",
            self.partition, self.region
        )
    }

    /// A global service's ARN (IAM): no region.
    pub fn global_arn(&self, service: &str, resource: &str) -> String {
        format!("arn:{}:{service}::*:{resource}", self.partition)
    }
}

/// The partition of a region (AWS General Reference, "Amazon Resource Names": aws, aws-cn,
/// aws-us-gov); `*` (no region configured) is the commercial partition.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The name of the statement that holds the actions granted on `*`.
pub const ANY_RESOURCE: &str = "AnyResource";

/// One statement, before it is named for its job.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The statement's name within the job: the service, plus what narrows it
    /// (`Ec2`, `Ec2Managed`, `StackLambda`).
    pub name: &'static str,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub condition: Option<Value>,
}

impl Grant {
    pub fn new(name: &'static str, actions: &[&str], resources: Vec<String>) -> Grant {
        Grant {
            name,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources,
            condition: None,
        }
    }

    pub fn anywhere(name: &'static str, actions: &[&str]) -> Grant {
        Grant::new(name, actions, vec!["*".to_string()])
    }

    pub fn when(mut self, condition: Value) -> Grant {
        self.condition = Some(condition);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: String,
    pub effect: &'static str,
    pub action: Vec<String>,
    pub resource: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// Every action the document allows, sorted, once each.
    pub fn actions(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .statement
            .iter()
            .flat_map(|s| s.action.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The policy for the given jobs: one job's statements named `<Job><Name>`; several jobs'
/// (`evrelay policy all`) merged where they grant the same resources under the same condition,
/// so one document serves an operator who does everything.
pub fn policy(jobs: &[Job], scope: &Scope) -> PolicyDocument {
    let mut statements: Vec<(Job, Grant)> = Vec::new();
    for &job in jobs {
        for mut grant in jobs::grants(job, scope) {
            // Every action that can only be granted on `*` (each grant in jobs.rs says why) in
            // one statement: a statement per service costs characters a long stack name needs
            // (a managed policy holds 6,144).
            if grant.resources == ["*"] && grant.condition.is_none() {
                grant.name = ANY_RESOURCE;
            }
            let same = statements.iter_mut().find(|(_, g)| {
                g.name == grant.name
                    && g.resources == grant.resources
                    && g.condition == grant.condition
            });
            match same {
                Some((_, g)) => g.actions.extend(grant.actions),
                None => statements.push((job, grant)),
            }
        }
    }
    let merged = jobs.len() > 1;
    let mut out: Vec<Statement> = Vec::new();
    for (job, mut grant) in statements {
        grant.actions.sort();
        grant.actions.dedup();
        let mut sid = if merged {
            format!("All{}", grant.name)
        } else {
            format!("{}{}", job.sid_prefix(), grant.name)
        };
        // A name two jobs use with different resources: the second keeps its job in the Sid
        // (Sids are unique within a policy).
        if out.iter().any(|s| s.sid == sid) {
            sid = format!("{sid}{}", job.sid_prefix());
        }
        out.push(Statement {
            sid,
            effect: "Allow",
            action: grant.actions,
            resource: grant.resources,
            condition: grant.condition,
        });
    }
    PolicyDocument {
        version: POLICY_VERSION,
        statement: out,
    }
}

/// Whether a string is an IAM action as a policy names it: `service:Action`, a lowercase
/// service prefix and an action name of letters and digits (IAM JSON policy reference,
/// "Action"); evrelay's policies use no wildcards.
pub fn is_valid_action(action: &str) -> bool {
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;
