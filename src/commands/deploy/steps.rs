//! The steps deploy runs around the change set: follow a change already running, remove a
//! stack that can only be deleted, create the VPC endpoints, say which are shared, and print
//! the result.

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::changeset::{self, ChangeSetId, ChangeSetSpec, ChangeSetState};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::progress::Progress;
use crate::stack::watch::WatchOptions;
use crate::stack::{self, describe_stack, Operation, StackInfo};
use crate::template;

use super::guard::Debris;
use super::preflight::{EndpointPlan, NetworkPlan};
use super::report::DeployResult;
use super::{delivery, params, DeployArgs, Settings};

/// The plan's warning about a batch the function timeout cannot hold at its worst.
pub(super) fn warn_slow_tail(ctx: &Context, settings: &Settings) {
    let d = &settings.delivery;
    if let Some(warning) =
        delivery::slow_tail_warning(d, settings.read_timeout, settings.function_timeout)
    {
        ctx.printer.warn(&warning);
    }
}

/// A switch to direct delivery deletes the buffer: refused while it holds events. Read before
/// the change set is made and again after the yes (it may have filled while the plan was read);
/// what arrives between the execution and the inbound rule's update is the one window left.
/// `current`: the stack's parameters, when the deploy updates it.
pub(super) async fn refuse_losing_buffer(
    ctx: &Context,
    current: Option<&[(String, String)]>,
    settings: &Settings,
) -> Result<()> {
    let Some(current) = current else {
        return Ok(());
    };
    let (from, to) = (delivery::current(current), settings.delivery.mode);
    if from != delivery::Delivery::Buffered || to != delivery::Delivery::Direct {
        return Ok(());
    }
    let buffer = &ctx.names.buffer;
    let held = crate::aws::buffer::held(ctx.sqs(), buffer)
        .await?
        .map(|depth| depth.total())
        .unwrap_or(0);
    delivery::refuse_switch(&ctx.names.stack, from, to, buffer, held)
}

/// A phase line off a terminal (where the spinner is not drawn), so a log or a test sees
/// where the deploy is; the spinner on one.
pub fn phase(ctx: &Context, what: &str) -> indicatif::ProgressBar {
    if !ctx.printer.interactive {
        ctx.printer.note(&format!("{what}…"));
    }
    ctx.printer.spinner(what)
}

/// Prints a report. A reader that closed stdout (`| head -1`) stops the printing, never the
/// deploy: what it makes, removes and saves (evrelay.toml) is the same with or without a
/// reader. (The printer ends a read-only command early on a closed stdout; deploy must not.)
pub(super) fn show<R: crate::printer::Report>(ctx: &Context, report: &R) -> Result<()> {
    match ctx.printer.report(report) {
        Err(e) if e.kind == crate::error::Kind::ClosedPipe => Ok(()),
        other => other,
    }
}

/// How a deploy follows a change: to its end, with or without a reader on stdout.
pub(super) fn watch_options() -> WatchOptions {
    WatchOptions {
        outlive_reader: true,
        ..WatchOptions::default()
    }
}

/// States a deploy cannot change; it says what would.
pub(super) fn refuse_stuck(stack_name: &str, existing: Option<&StackInfo>) -> Result<()> {
    match existing.map(|s| s.status.as_str()) {
        Some("DELETE_FAILED") => Err(Error::failed(format!(
            "stack `{stack_name}` is DELETE_FAILED: a deploy cannot update it"
        ))
        .hint("run `evrelay destroy` to finish deleting it, then deploy again")),
        Some("UPDATE_ROLLBACK_FAILED") => Err(Error::failed(format!(
            "stack `{stack_name}` is UPDATE_ROLLBACK_FAILED: CloudFormation cannot update it until the rollback finishes"
        ))
        .hint(format!(
            "fix what blocked the rollback (`evrelay status` shows the resource), then `aws cloudformation continue-update-rollback --stack-name {stack_name}`"
        ))),
        _ => Ok(()),
    }
}

/// CreateChangeSet, then the wait until CloudFormation has worked out the changes; the ids are
/// recorded as soon as they are known.
pub(super) async fn create_and_wait(
    cfn: &aws_sdk_cloudformation::Client,
    spec: &ChangeSetSpec,
    debris: &mut Debris,
) -> Result<(ChangeSetId, ChangeSetState)> {
    let request = (cfn.clone(), spec.clone());
    let created = debris
        .sent("CreateChangeSet", async move {
            changeset::create_change_set(&request.0, &request.1).await
        })
        .await?;
    if let Some(cs) = debris.change_set.as_mut() {
        cs.id = Some(created.id.clone());
        cs.stack_id = Some(created.stack_id.clone());
    }
    let state = changeset::wait_for_change_set(
        cfn,
        &created.id,
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(600),
    )
    .await?;
    Ok((created, state))
}

/// The result: the stack's outputs (or, where CloudFormation sets none, the names evrelay
/// derives from the stack name).
pub(super) async fn result(
    ctx: &Context,
    done: super::apply::Done,
    account: &str,
) -> Result<DeployResult> {
    let info = describe_stack(ctx.cloudformation(), &ctx.names.stack).await?;
    Ok(DeployResult::succeeded(
        &ctx.names,
        info.as_ref(),
        done.operation,
        done.elapsed_ms,
        done.endpoint_actions,
        done.up_to_date,
    )
    .at(account, ctx.region()))
}

/// Follows a change someone else started (or an earlier run left running) to its end.
pub async fn wait_for_running_change(ctx: &Context, s: &StackInfo) -> Result<()> {
    let operation = match s.status.split('_').next() {
        Some("DELETE") => Operation::Delete,
        Some("CREATE" | "ROLLBACK") => Operation::Create,
        _ => Operation::Update,
    };
    let cfn = ctx.cloudformation();
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let mut progress = Progress::new(
        &s.name,
        operation,
        template::resource_descriptions(&template::render()),
    );
    // Whether that change succeeded or not, this deploy decides from the state it left.
    follow(
        &ctx.printer,
        cfn,
        &s.id,
        cursor,
        &mut progress,
        &watch_options(),
        None,
    )
    .await
    .map(|_| ())
}

/// Deletes a stack that can only be deleted (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS, …).
pub async fn remove_stack(ctx: &Context, s: &StackInfo) -> Result<()> {
    let cfn = ctx.cloudformation();
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let token = stack::request_token("remove");
    stack::delete_stack(cfn, &s.id, &token).await?;
    let mut progress = Progress::new(
        &s.name,
        Operation::Delete,
        template::resource_descriptions(&template::render()),
    );
    let outcome = follow(
        &ctx.printer,
        cfn,
        &s.id,
        cursor,
        &mut progress,
        &WatchOptions {
            token: Some(token),
            ..watch_options()
        },
        None,
    )
    .await?;
    if outcome.ok {
        Ok(())
    } else {
        Err(outcome_error(&outcome))
    }
}

/// Creates the endpoints the plan calls for (a creation error stops the deploy before anything
/// executes) and returns the new ids; their wait for `available` runs beside the stack's (see
/// [`super::apply::execute`]). Each create call goes through [`Debris::sent`] and each id lands
/// in `debris` as soon as it is known, so an interruption still knows them (and finds the rest
/// by the run's tag).
pub async fn create_endpoints(
    ctx: &Context,
    plan: &NetworkPlan,
    debris: &mut Debris,
) -> Result<Vec<String>> {
    let mut new_ids = Vec::new();
    for (service, endpoint) in plan.endpoints() {
        if let EndpointPlan::Create(new) = endpoint {
            let spinner = phase(
                ctx,
                &format!(
                    "Creating the VPC endpoint for {service} in {}",
                    ctx.region()
                ),
            );
            let made = create_endpoint(ctx, new, debris).await;
            spinner.finish_and_clear();
            let e = made?;
            debris.endpoints.push(e.id.clone());
            ctx.printer.note(&format!(
                "Created VPC endpoint {} for {service} (private DNS, in {}).",
                e.id,
                new.subnets.join(", ")
            ));
            new_ids.push(e.id);
        }
    }
    Ok(new_ids)
}

/// The endpoint's group, then the endpoint: two calls, so Ctrl-C between them makes no
/// endpoint.
async fn create_endpoint(
    ctx: &Context,
    new: &endpoints::NewEndpoint,
    debris: &mut Debris,
) -> Result<endpoints::Endpoint> {
    let (ec2, group, run) = (ctx.ec2().clone(), new.clone(), debris.run.clone());
    let made = debris
        .sent("CreateSecurityGroup", async move {
            endpoints::ensure_group(&ec2, &group.vpc_id, &group.stack, &group.group, &run).await
        })
        .await?;
    let (ec2, new, run) = (ctx.ec2().clone(), new.clone(), debris.run.clone());
    debris
        .sent("CreateVpcEndpoint", async move {
            endpoints::create(&ec2, &new, made, &run).await
        })
        .await
}

/// A reused endpoint evrelay created for another relay stays that relay's: say so, so the
/// operator knows `evrelay destroy` of either one keeps it while the other needs it.
pub async fn note_shared_endpoints(ctx: &Context, plan: &NetworkPlan) -> Result<()> {
    let reused: Vec<String> = plan
        .endpoints()
        .into_iter()
        .filter_map(|(_, e)| match e {
            EndpointPlan::Reuse(id) => Some(id.clone()),
            EndpointPlan::Create(_) | EndpointPlan::Centralised(_) => None,
        })
        .collect();
    if reused.is_empty() {
        return Ok(());
    }
    for e in endpoints::by_ids(ctx.ec2(), &reused).await? {
        if let Some(owner) = e
            .stack
            .as_deref()
            .filter(|owner| e.managed && *owner != ctx.names.stack)
        {
            ctx.printer.note(&format!(
                "Reusing VPC endpoint {} ({}), which evrelay created for stack `{owner}`: destroying either relay \
                 keeps it while the other runs in this VPC.",
                e.id, e.service
            ));
        }
    }
    Ok(())
}

/// What `evrelay.toml` keeps of a deploy: the settings as flags would give them, never the key.
pub(super) fn remembered(
    settings: &Settings,
    relay: &params::RelaySettings,
    args: &DeployArgs,
) -> crate::config::Remembered {
    let d = &settings.delivery;
    let buffered = d.mode == delivery::Delivery::Buffered;
    crate::config::Remembered {
        subnets: settings.subnets.clone(),
        security_groups: settings.security_groups.clone(),
        url: Some(settings.url.clone()),
        host: Some(relay.host.clone()).filter(|h| !h.is_empty()),
        secret_id: args.relay.secret_id.clone(),
        detail_type: Some(settings.detail_type.clone()),
        auth_header: Some(settings.auth_header.clone()),
        reserved_concurrency: Some(settings.reserved_concurrency),
        function_timeout: Some(settings.function_timeout),
        read_timeout: Some(settings.read_timeout),
        log_retention_days: Some(settings.log_retention_days),
        role_arn: args.role_arn.clone(),
        delivery: Some(d.mode.as_str().to_string()),
        max_concurrency: buffered.then_some(d.max_concurrency),
        batch_size: buffered.then_some(d.batch_size),
        batch_window: buffered.then_some(d.batch_window),
        max_receive_count: buffered.then_some(d.max_receive_count),
        skip_checks: args.skip_checks.clone(),
        tags: args.tags.iter().cloned().collect(),
        // A pair's keys are set by the pair's deploy, on the primary's table only.
        ..Default::default()
    }
}

/// Writes the deploy's settings to the config file, so `evrelay deploy` alone redeploys. The
/// stack is deployed by now: a file that cannot be written is a warning, not a failure.
pub(super) fn remember(ctx: &Context, remembered: &crate::config::Remembered) {
    let path = &ctx.config.path.path;
    match crate::config::remember(path, &ctx.names.stack, ctx.region(), remembered) {
        Ok(()) => ctx.printer.note(&format!(
            "Saved these settings to {} ([stacks.{}.{}]): `evrelay deploy` alone redeploys them.",
            path.display(),
            ctx.names.stack,
            ctx.region()
        )),
        Err(e) => ctx.printer.warn(&e.message),
    }
}

/// An `https://` URL naming an ALB by its own DNS name, with no `--host`: no certificate can
/// name that host, so every event would fail TLS. Warned before the change set, with the
/// listener certificate's names (best effort: a lookup that fails only drops them).
pub(super) async fn warn_unnamed_https_host(ctx: &Context, url: &str, host: &str) {
    let Ok(url) = url::Url::parse(url) else {
        return;
    };
    let host = Some(host).filter(|h| !h.is_empty());
    if crate::hosts::elb_https_warning(&url, host, &[]).is_none() {
        return;
    }
    let names = certificate_names(ctx, &url).await.unwrap_or_default();
    if let Some(warning) = crate::hosts::elb_https_warning(&url, host, &names) {
        ctx.printer.warn(&warning);
    }
}

async fn certificate_names(ctx: &Context, url: &url::Url) -> Result<Vec<String>> {
    use crate::aws::listener_hosts::{listener_facts, load_balancer_by_dns};
    let dns = url.host_str().unwrap_or_default();
    let Some(arn) = load_balancer_by_dns(ctx.elb(), dns).await? else {
        return Ok(Vec::new());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    Ok(listener_facts(ctx.elb(), ctx.acm(), &arn, port)
        .await?
        .map(|f| f.certificate_names)
        .unwrap_or_default())
}

/// The stack's tags: the operator's (`--tags`, else the config file's, else what the stack has
/// now: a change set's tags replace the stack's, so a redeploy without `--tags` must send them
/// again), then evrelay's own, which nothing overrides.
pub(super) fn stack_tags(
    given: &[(String, String)],
    current: Option<&StackInfo>,
    stack_name: &str,
) -> Vec<(String, String)> {
    use crate::names::{TAG_MANAGED, TAG_STACK};
    let mut tags: Vec<(String, String)> = if given.is_empty() {
        operator_tags(current.map(|s| s.tags.as_slice()).unwrap_or_default()).collect()
    } else {
        given.to_vec()
    };
    tags.push((TAG_STACK.into(), stack_name.to_string()));
    tags.push((TAG_MANAGED.into(), "true".into()));
    tags
}

/// The operator's tags among a stack's (or a change set's): neither evrelay's nor AWS's own.
pub(super) fn operator_tags(
    tags: &[(String, String)],
) -> impl Iterator<Item = (String, String)> + '_ {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("evrelay:") && !k.starts_with("aws:"))
        .cloned()
}
