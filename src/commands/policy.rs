//! `evrelay policy`: the least-privilege IAM policy for a job, printed before anything runs so
//! whoever grants permissions can review it. No AWS call: the ARNs come from the stack's names,
//! the region (flag, environment or config file; `*` without one) and `--role-arn`.

use clap::{Args, ValueEnum};

use crate::cli::GlobalArgs;
use crate::config::ConfigFile;
use crate::error::Result;
use crate::model::policy::{self, Job, Scope};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The job the policy is for: deploy (discover + deploy), operate (status, top, send, logs,
    /// dlq), destroy, stack-resources (what CloudFormation does to the stack's resources
    /// during deploy and destroy: the service role's policy with --role-arn, else needed
    /// beside deploy and destroy), or all four in one document.
    #[arg(value_enum, default_value_t = PolicyJob::All)]
    pub job: PolicyJob,

    /// The CloudFormation service role deploy and destroy pass (adds iam:PassRole on it)
    /// [default: the config file's role_arn for this stack and region].
    #[arg(long, value_name = "ARN", value_parser = crate::model::arn::parse_role_arn)]
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyJob {
    Deploy,
    Operate,
    Destroy,
    StackResources,
    All,
}

impl PolicyJob {
    fn jobs(self) -> Vec<Job> {
        match self {
            PolicyJob::Deploy => vec![Job::Deploy],
            PolicyJob::Operate => vec![Job::Operate],
            PolicyJob::Destroy => vec![Job::Destroy],
            PolicyJob::StackResources => vec![Job::StackResources],
            PolicyJob::All => Job::ALL.to_vec(),
        }
    }
}

pub fn run(globals: &GlobalArgs, config: &ConfigFile, args: PolicyArgs) -> Result<()> {
    let region = globals.region.clone().or_else(|| {
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
    });
    let remembered_role = region.as_ref().and_then(|r| {
        config
            .stacks
            .get(&globals.stack)
            .and_then(|regions| regions.get(r))
            .and_then(|s| s.role_arn.clone())
    });
    let role_arn = args.role_arn.or(remembered_role);
    let scope = Scope::new(&globals.stack, region.as_deref(), role_arn.as_deref());
    let document = policy::policy(&args.job.jobs(), &scope);
    let printer = Printer::new(globals);
    if region.is_none() {
        printer.note("no region set: the ARNs match every region (pass --region to narrow them)");
    }
    if let Some(note) = stack_resources_note(args.job, role_arn.is_some()) {
        printer.note(note);
    }
    if printer.json() {
        printer.json_line(&document)
    } else {
        printer.json_doc(&document)
    }
}

/// deploy and destroy run CloudFormation, which changes the stack's resources with the
/// caller's permissions unless a service role is passed (CloudFormation User Guide, "Service
/// role"): say where the other document goes.
fn stack_resources_note(job: PolicyJob, service_role: bool) -> Option<&'static str> {
    match (job, service_role) {
        (PolicyJob::Deploy | PolicyJob::Destroy, false) => Some(
            "CloudFormation makes and deletes the stack's resources with your permissions: \
             attach `evrelay policy stack-resources` beside this one (or deploy with --role-arn \
             and give it to that role)",
        ),
        (PolicyJob::Deploy | PolicyJob::Destroy | PolicyJob::StackResources, true) => Some(
            "with --role-arn, CloudFormation changes the stack's resources as that role: \
             `evrelay policy stack-resources` is that role's policy, not yours",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::arn::parse_role_arn;

    #[test]
    fn a_role_arn_is_checked_before_it_goes_into_a_policy() {
        assert!(parse_role_arn("arn:aws:iam::123456789012:role/cfn").is_ok());
        assert!(parse_role_arn("arn:aws-cn:iam::123456789012:role/path/cfn").is_ok());
        for bad in [
            "cfn",
            "arn:aws:iam::123:role/cfn",
            "arn:aws:iam::123456789012:user/me",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(parse_role_arn(bad).unwrap_err().contains(bad), "{bad}");
        }
    }

    #[test]
    fn all_is_every_job() {
        assert_eq!(PolicyJob::All.jobs(), Job::ALL.to_vec());
        assert_eq!(PolicyJob::Destroy.jobs(), vec![Job::Destroy]);
    }
}
