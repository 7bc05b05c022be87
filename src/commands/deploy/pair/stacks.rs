//! The pair's two small stacks, after both relays: `<stack>-endpoint` in the primary (the
//! global endpoint, its health check and alarm, the replication role) and `<stack>-archive` in
//! the secondary. Each goes through a change set like the relay's: an unchanged one says so and
//! is dropped; one interrupted before it executes is removed (the guard); a stack whose create
//! failed is deleted first, so a rerun completes the pair.

use crate::context::Context;
use crate::error::{Error, Result};
use crate::names::GlobalNames;
use crate::stack::changeset::{self, ChangeSetSpec, ChangeSetState, ParamValue};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::progress::Progress;
use crate::stack::{self, Operation, StackInfo};
use crate::template::{self, Part};

use super::super::apply::{send_execute, Sent};
use super::super::guard::{self, Debris, PendingChangeSet};
use super::super::report::pair::SmallStackPlan;
use super::super::report::{ArchiveReport, GlobalEndpointReport};
use super::super::{discard, steps, DeployArgs};
use super::PairSettings;

/// One of the two stacks: what it is deployed with, and what is there now.
pub(in crate::commands::deploy) struct SmallStack {
    pub name: String,
    pub region: String,
    part: Part,
    parameters: Vec<(String, String)>,
    existing: Option<StackInfo>,
}

impl SmallStack {
    pub fn endpoint(
        names: &GlobalNames,
        region: &str,
        pair: &PairSettings,
        existing: Option<StackInfo>,
    ) -> Self {
        SmallStack {
            name: names.endpoint_stack.clone(),
            region: region.to_string(),
            part: Part::Endpoint,
            parameters: vec![
                ("RelayStack".into(), names.endpoint.clone()),
                ("SecondaryRegion".into(), pair.secondary_region.clone()),
                ("Replication".into(), pair.replication_state().into()),
            ],
            existing,
        }
    }

    pub fn archive(
        names: &GlobalNames,
        region: &str,
        pair: &PairSettings,
        existing: Option<StackInfo>,
    ) -> Self {
        SmallStack {
            name: names.archive_stack.clone(),
            region: region.to_string(),
            part: Part::Archive,
            parameters: vec![
                ("RelayStack".into(), names.endpoint.clone()),
                ("RetentionDays".into(), pair.archive_retention.to_string()),
            ],
            existing,
        }
    }

    /// The stack as it stands: updated, or (re)created.
    fn current(&self) -> Option<&StackInfo> {
        self.existing
            .as_ref()
            .filter(|s| !stack::needs_removal(&s.status))
    }

    fn operation(&self) -> Operation {
        if self.current().is_some() {
            Operation::Update
        } else {
            Operation::Create
        }
    }

    pub fn plan(&self) -> SmallStackPlan {
        SmallStackPlan {
            stack: self.name.clone(),
            region: self.region.clone(),
            operation: self.operation(),
        }
    }

    fn source(&self) -> &'static str {
        match self.part {
            Part::Endpoint => template::ENDPOINT_TEMPLATE,
            _ => template::ARCHIVE_TEMPLATE,
        }
    }
}

/// A stack in the middle of a change, or stuck, is refused before anything is made.
pub(in crate::commands::deploy) fn refuse_busy(s: &SmallStack) -> Result<()> {
    let Some(info) = &s.existing else {
        return Ok(());
    };
    let status = info.status.as_str();
    if stack::needs_removal(status) || (stack::is_settled(status) && !status.ends_with("_FAILED")) {
        return Ok(());
    }
    Err(Error::failed(format!(
        "stack `{}` in {} is {status}: a deploy cannot change it now",
        s.name, s.region
    ))
    .hint(format!(
        "wait for it to settle (`aws cloudformation describe-stacks --stack-name {} --region {}`), or fix what it reports, then deploy again",
        s.name, s.region
    )))
}

/// Change set, execute, follow. Interrupted before execution, the change set (and the empty
/// stack a new one makes) is removed.
pub(in crate::commands::deploy) async fn deploy(
    ctx: &Context,
    s: &SmallStack,
    args: &DeployArgs,
    relay_stack: &str,
) -> Result<()> {
    let cfn = ctx.cloudformation();
    if let Some(failed) = s
        .existing
        .as_ref()
        .filter(|e| stack::needs_removal(&e.status))
    {
        ctx.printer.note(&format!(
            "Stack {} in {} is {}: deleting it before creating it again.",
            s.name, s.region, failed.status
        ));
        steps::remove_stack(ctx, failed).await?;
    }
    let operation = s.operation();
    let spec = ChangeSetSpec {
        stack: s.name.clone(),
        name: changeset::change_set_name(),
        operation,
        template_body: template::render_part(s.part),
        parameters: s
            .parameters
            .iter()
            .map(|(k, v)| ParamValue::Value(k.clone(), v.clone()))
            .collect(),
        // The relay's name in evrelay's tag: destroy and status find the pair by it.
        tags: steps::stack_tags(&args.tags, s.current(), relay_stack),
        role_arn: args.role_arn.clone(),
        kept: false,
        named_iam: s.part == Part::Endpoint,
    };
    let mut debris = Debris::default();
    debris.change_set = Some(PendingChangeSet {
        stack: s.name.clone(),
        name: spec.name.clone(),
        operation,
        id: None,
        stack_id: None,
    });
    let made = guard::interruptible(async {
        let spinner = steps::phase(
            ctx,
            &format!(
                "Creating the change set for stack {} in {}",
                s.name, s.region
            ),
        );
        let made = steps::create_and_wait(cfn, &spec, &mut debris).await;
        spinner.finish_and_clear();
        let (created, state) = made?;
        match state {
            ChangeSetState::Ready(_) => Ok(Some(created)),
            ChangeSetState::NoChanges => Ok(None),
            ChangeSetState::Failed(reason) => Err(Error::failed(format!(
                "CloudFormation refused the change set for stack {} in {}: {reason}",
                s.name, s.region
            ))),
        }
    })
    .await;
    let created = match made {
        Ok(Some(created)) => created,
        Ok(None) => {
            if let Some(cs) = debris.change_set.take() {
                discard::discard(ctx, &cs).await;
            }
            ctx.printer.note(&format!(
                "Stack {} in {} is up to date: nothing to change.",
                s.name, s.region
            ));
            return Ok(());
        }
        Err(e) => {
            let removed = guard::clean_up(ctx, &mut debris).await;
            return Err(guard::with_cleanup(e, &removed));
        }
    };
    let cursor = Cursor::after(&latest_events(cfn, &created.stack_id).await?);
    let token = stack::request_token("deploy");
    match send_execute(ctx, &created.id, &token).await {
        Sent::Accepted | Sent::AcceptedThenInterrupted => {}
        Sent::Refused(e) => {
            let removed = guard::clean_up(ctx, &mut debris).await;
            return Err(guard::with_cleanup(e, &removed));
        }
        Sent::Unknown => {
            return Err(Error::cancelled_with(format!(
                "stopped before ExecuteChangeSet answered: the {} of stack `{}` in {} may be going on in AWS",
                operation.verb(),
                s.name,
                s.region
            )))
        }
    }
    let mut progress = Progress::new(
        &s.name,
        operation,
        template::resource_descriptions(s.source()),
    );
    let opts = crate::stack::watch::WatchOptions {
        token: Some(token),
        ..steps::watch_options()
    };
    let outcome = follow(
        &ctx.printer,
        cfn,
        &created.stack_id,
        cursor,
        &mut progress,
        &opts,
        None,
    )
    .await?;
    if !outcome.ok {
        return Err(outcome_error(&outcome));
    }
    ctx.printer.note(&format!(
        "Stack {} in {}: {} in {}.",
        s.name,
        s.region,
        outcome.status,
        stack::render::duration(std::time::Duration::from_millis(outcome.elapsed_ms as u64))
    ));
    Ok(())
}

/// The endpoint as DescribeEndpoint shows it now, and the archive the archive stack made.
pub(in crate::commands::deploy) async fn global_endpoint(
    primary: &Context,
    secondary: &Context,
    names: &GlobalNames,
    pair: &PairSettings,
) -> Result<GlobalEndpointReport> {
    let found = crate::aws::global_endpoint::describe(primary.events(), &names.endpoint)
        .await?
        .unwrap_or_default();
    // CloudFormation names the archive: the stack's output where it has one, else the
    // resource's physical id (the same name).
    let archive_stack =
        stack::describe_stack(secondary.cloudformation(), &names.archive_stack).await?;
    let from_output = archive_stack.as_ref().and_then(|s| {
        s.outputs
            .iter()
            .find(|o| o.key == "ArchiveName")
            .map(|o| o.value.clone())
    });
    let name = match from_output {
        Some(name) => Some(name),
        None => stack::stack_resources(secondary.cloudformation(), &names.archive_stack)
            .await?
            .into_iter()
            .find(|r| r.logical_id == "Archive")
            .and_then(|r| r.physical_id),
    };
    Ok(GlobalEndpointReport {
        name: names.endpoint.clone(),
        stack: names.endpoint_stack.clone(),
        id: found.id,
        url: found.url,
        state: found.state,
        // What EventBridge says, once there is an endpoint to ask.
        replication: if found.name.is_empty() {
            pair.replication
        } else {
            found.replication
        },
        archive: ArchiveReport {
            stack: names.archive_stack.clone(),
            region: secondary.region().to_string(),
            name,
            retention_days: pair.archive_retention,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(status: Option<&str>) -> SmallStack {
        let names = GlobalNames::new("orders");
        let pair = PairSettings {
            secondary_region: "us-west-2".into(),
            replication: false,
            archive_retention: 0,
        };
        let existing = status.map(|st| StackInfo {
            name: names.endpoint_stack.clone(),
            id: "arn".into(),
            status: st.into(),
            reason: None,
            role_arn: None,
            outputs: vec![],
            parameters: vec![],
            tags: vec![],
        });
        SmallStack::endpoint(&names, "us-east-1", &pair, existing)
    }

    #[test]
    fn a_small_stack_is_created_updated_or_replaced_and_a_busy_one_refused() {
        let fresh = with_status(None);
        assert_eq!(fresh.plan().operation, Operation::Create);
        assert_eq!(
            fresh.parameters,
            [
                ("RelayStack".to_string(), "orders".to_string()),
                ("SecondaryRegion".into(), "us-west-2".into()),
                ("Replication".into(), "DISABLED".into()),
            ]
        );
        assert_eq!(
            with_status(Some("UPDATE_COMPLETE")).plan().operation,
            Operation::Update
        );
        // A failed create is deleted and made again.
        assert_eq!(
            with_status(Some("ROLLBACK_COMPLETE")).plan().operation,
            Operation::Create
        );
        for ok in [
            None,
            Some("CREATE_COMPLETE"),
            Some("UPDATE_ROLLBACK_COMPLETE"),
            Some("ROLLBACK_COMPLETE"),
        ] {
            assert!(refuse_busy(&with_status(ok)).is_ok(), "{ok:?}");
        }
        for busy in [
            "UPDATE_IN_PROGRESS",
            "DELETE_FAILED",
            "UPDATE_ROLLBACK_FAILED",
        ] {
            let e = refuse_busy(&with_status(Some(busy))).unwrap_err();
            assert_eq!(e.exit_code(), 1);
            assert!(
                e.message
                    .contains(&format!("orders-endpoint` in us-east-1 is {busy}")),
                "{}",
                e.message
            );
        }
    }
}
