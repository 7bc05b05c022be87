//! `deploy --execute CHANGE_SET`: runs a change set `deploy --no-execute` kept for review (the
//! review-then-apply flow of `sam deploy --no-execute-changeset` and `rain deploy
//! --no-exec`).
//!
//! The change set fixes the stack's settings, not the account around it: time has passed, so
//! every preflight check runs again on the settings rebuilt from the change set's parameters,
//! and the VPC endpoints and the Logs policy it needs are made only after the yes. Only a change
//! set evrelay made (its description) on a stack evrelay owns is executed. An interruption
//! before execution removes the endpoints this run made and keeps the change set, which the
//! operator made on purpose.
//!
//! A stack that has become one half of a relay pair since the change set was kept is refused:
//! the change set changes one Region's relay, and the pair's deploy plans both under one
//! question (`--no-execute` itself is refused for a pair).

use crate::context::Context;
use crate::error::{Error, Result};
use crate::stack::changeset::{self, ChangeSetId, ChangeSetInfo, ParamValue};
use crate::stack::ownership::{self, StackOwner};
use crate::stack::{self, describe_stack, Operation, StackInfo};
use crate::terminal::confirm;

use super::guard::{self, Debris};
use super::pair::{half, PairHalf};
use super::report::ChangeSetReport;
use super::{params, preflight, steps, DeployArgs};

/// `evrelay deploy --execute NAME --stack S --region R`: the stack and region this run
/// resolved (from a flag, the environment or the config file), so the line works pasted into
/// another shell or directory; `--profile` when one was given.
pub(super) fn execute_command(ctx: &Context, change_set: &str) -> String {
    let mut command = format!(
        "evrelay deploy --execute {change_set} --stack {} --region {}",
        ctx.names.stack,
        ctx.region()
    );
    if let Some(profile) = ctx.globals.profile.as_deref() {
        command.push_str(&format!(" --profile {profile}"));
    }
    command
}

pub(super) async fn execute(ctx: &Context, args: &DeployArgs, name: &str) -> Result<()> {
    let stack_name = ctx.names.stack.clone();
    let (cs, existing) = find(ctx, name).await?;
    if let Some(half) = half(ctx).await? {
        return Err(refuse_in_pair(&stack_name, ctx.region(), &cs.name, &half));
    }
    let account = ctx.identity().await?.account.clone();
    let scope = format!("account {account}, {}", ctx.region());
    let operation = if existing.status == "REVIEW_IN_PROGRESS" {
        Operation::Create
    } else {
        Operation::Update
    };
    let current = match operation {
        Operation::Create => &[][..],
        _ => existing.parameters.as_slice(),
    };
    // No flag sets a value here (clap refuses them with --execute): the change set decides.
    let settings = params::resolve(args, &cs.parameters, None)?;
    let relay = params::resolve_relay(&args.relay, &cs.parameters)?;
    let mut remembered = steps::remembered(&settings, &relay, args);
    remembered.secret_id = value(&cs.parameters, "ExistingSecretArn");
    remembered.tags = steps::operator_tags(&cs.tags).collect();
    // The role the change set was made with is the stack's (DescribeChangeSet has no RoleARN).
    remembered.role_arn = existing.role_arn.clone().or_else(|| {
        ctx.config
            .file
            .relay(&stack_name, ctx.region())
            .and_then(|r| r.role_arn.clone())
    });

    let mut debris = Debris::new(&crate::stack::request_token("execute"));
    let prepared = guard::interruptible(async {
        ctx.printer.note(&format!(
            "Executing change set {} on stack {stack_name} in {scope}.",
            cs.name
        ));
        let clients = preflight::Clients {
            ec2: ctx.ec2(),
            elb: ctx.elb(),
            logs: ctx.logs(),
            route53: ctx.route53(),
            lambda: ctx.lambda(),
            service_discovery: ctx.service_discovery(),
        };
        let plan = preflight::run(
            clients,
            ctx.region(),
            &stack_name,
            &settings,
            args.events_endpoint,
            operation == Operation::Create,
            &args.skip_checks,
        )
        .await?;
        steps::note_shared_endpoints(ctx, &plan).await?;
        for skipped in &plan.skipped_checks {
            ctx.printer.warn(&skipped.line());
        }
        steps::warn_unnamed_https_host(ctx, &settings.url, &relay.host).await;
        let updated = (operation == Operation::Update).then_some(current);
        steps::warn_slow_tail(ctx, &settings);
        steps::refuse_losing_buffer(ctx, updated, &settings).await?;
        let mut preview = ChangeSetReport::new(
            &stack_name,
            operation,
            cs.changes.clone(),
            plan.endpoint_actions(),
        )
        .at(&account, ctx.region());
        preview.dry_run = args.dry_run;
        preview.change_set = Some(cs.name.clone());
        preview.parameters =
            super::delivery::preview(current, &sent(&cs.parameters), settings.delivery.mode);
        steps::show(ctx, &preview)?;
        if args.dry_run {
            ctx.printer.note(&format!(
                "Dry run: change set {} is kept; nothing changed.",
                cs.name
            ));
            return Ok(None);
        }
        let question = format!(
            "Execute change set {} on stack {stack_name} in {scope}?",
            cs.name
        );
        if !confirm(ctx.globals.yes, question).await? {
            return Err(Error::cancelled_with(format!(
                "deploy cancelled; nothing changed (change set {} is kept)",
                cs.name
            )));
        }
        steps::refuse_losing_buffer(ctx, updated, &settings).await?;
        let created = ChangeSetId {
            id: cs.id.clone(),
            stack_id: cs.stack_id.clone(),
        };
        super::apply::make_ready(ctx, &plan, created, operation, &mut debris)
            .await
            .map(Some)
    })
    .await;
    match prepared {
        Ok(Some(ready)) => {
            let executed = super::apply::execute(ctx, ready, &mut debris, &account).await;
            if executed.is_ok()
                || (debris.executed && executed.as_ref().is_err_and(|e| e.is_cancelled()))
            {
                steps::remember(ctx, &remembered);
            }
            steps::show(ctx, &steps::result(ctx, executed?, &account).await?)
        }
        Ok(None) => Ok(()),
        Err(e) => {
            let removed = guard::clean_up(ctx, &mut debris).await;
            Err(guard::with_cleanup(e, &removed))
        }
    }
}

/// The change set and its stack, if both are evrelay's and the change set can run.
async fn find(ctx: &Context, name: &str) -> Result<(ChangeSetInfo, StackInfo)> {
    let cfn = ctx.cloudformation();
    let stack_name = &ctx.names.stack;
    let not_found = || {
        Error::usage(format!(
            "--execute {name}: no change set of that name on stack `{stack_name}` in {}",
            ctx.region()
        ))
        .hint(format!(
            "`evrelay deploy --no-execute` keeps one and prints its name; `aws cloudformation list-change-sets --stack-name {stack_name}` lists them"
        ))
    };
    let Some(cs) = changeset::describe_change_set(cfn, name, stack_name).await? else {
        return Err(not_found());
    };
    // An ARN names its own stack: it must be this one.
    if cs.stack_name != *stack_name {
        return Err(Error::usage(format!(
            "--execute {name}: that change set belongs to stack `{}`, not `{stack_name}`",
            cs.stack_name
        ))
        .hint(format!("pass --stack {}", cs.stack_name)));
    }
    let Some(existing) = describe_stack(cfn, &cs.stack_id).await? else {
        return Err(not_found());
    };
    let owner = ownership::owner_of(cfn, &existing).await?;
    if owner != StackOwner::Evrelay {
        return Err(ownership::refusal(stack_name, owner, "deploy --execute"));
    }
    if !cs.made_by_evrelay() {
        return Err(Error::failed(format!(
            "change set {} on stack `{stack_name}` was not made by evrelay deploy",
            cs.name
        ))
        .hint(
            "execute it with the tool that made it, or make one with `evrelay deploy --no-execute`",
        ));
    }
    if !cs.executable() {
        let why = cs.status_reason.clone().unwrap_or_default();
        return Err(Error::failed(format!(
            "change set {} is {} ({}), not ready to execute{}",
            cs.name,
            cs.status,
            cs.execution_status,
            if why.is_empty() { String::new() } else { format!(": {why}") }
        ))
        .hint("EXECUTE_COMPLETE: it has run; OBSOLETE: the stack changed since; make a new one with `evrelay deploy --no-execute`"));
    }
    if !stack::is_settled(&existing.status) && existing.status != "REVIEW_IN_PROGRESS" {
        return Err(Error::failed(format!(
            "stack `{stack_name}` is {}: a change set runs only on a settled stack",
            existing.status
        ))
        .hint("wait for it (`evrelay status --watch`), then run the same command again"));
    }
    Ok((cs, existing))
}

/// Nothing executed, the change set kept: the pair's own deploy is the way to change a relay.
fn refuse_in_pair(stack: &str, region: &str, change_set: &str, half: &PairHalf) -> Error {
    let (role, other, command) = match half {
        PairHalf::Primary { secondary } => (
            "the primary",
            format!("the relay in {secondary}"),
            format!("`evrelay --region {region} --stack {stack} deploy`"),
        ),
        PairHalf::Secondary { primary } => (
            "the secondary",
            match primary {
                Some(p) => format!("the relay in {p}"),
                None => "the primary's relay".to_string(),
            },
            match primary {
                Some(p) => format!("`evrelay --region {p} --stack {stack} deploy`"),
                None => format!("`evrelay --region PRIMARY --stack {stack} deploy`"),
            },
        ),
    };
    let primary_unknown = match half {
        PairHalf::Secondary { primary: None } => {
            format!(" (PRIMARY: the Region that holds global endpoint `{stack}`)")
        }
        _ => String::new(),
    };
    Error::failed(format!(
        "stack `{stack}` in {region} is {role} of relay pair `{stack}`: change set {change_set} would change this Region's relay only, not {other}; nothing executed (the change set is kept)"
    ))
    .hint(format!(
        "{command} plans both Regions' relays under one question{primary_unknown}; `aws cloudformation delete-change-set --stack-name {stack} --change-set-name {change_set} --region {region}` removes the kept one"
    ))
}

fn value(parameters: &[(String, String)], key: &str) -> Option<String> {
    parameters
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.clone())
}

/// The change set's parameters as the deploy that made it sent them; a masked NoEcho value
/// says nothing about whether it changed, so it is left out of the old → new list.
fn sent(parameters: &[(String, String)]) -> Vec<ParamValue> {
    parameters
        .iter()
        .map(|(k, v)| match v.as_str() {
            "****" => ParamValue::UsePrevious(k.clone()),
            _ => ParamValue::Value(k.clone(), v.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_set_on_half_a_pair_is_refused_naming_the_pair_s_deploy() {
        let half = PairHalf::Primary {
            secondary: "us-west-2".into(),
        };
        let e = refuse_in_pair("orders", "us-east-1", "evrelay-1-a", &half);
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.message,
            "stack `orders` in us-east-1 is the primary of relay pair `orders`: change set evrelay-1-a would change this Region's relay only, not the relay in us-west-2; nothing executed (the change set is kept)"
        );
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .starts_with("`evrelay --region us-east-1 --stack orders deploy` plans both Regions"));
        let e = refuse_in_pair(
            "orders",
            "us-west-2",
            "evrelay-1-a",
            &PairHalf::Secondary { primary: None },
        );
        assert!(
            e.message.contains("is the secondary of relay pair"),
            "{}",
            e.message
        );
        assert!(e.hint.as_deref().unwrap().contains(
            "under one question (PRIMARY: the Region that holds global endpoint `orders`)"
        ));
    }

    #[test]
    fn masked_values_are_not_listed_as_changes() {
        let p = vec![
            ("TargetUrl".to_string(), "http://a/".to_string()),
            ("Secret".to_string(), "****".to_string()),
            ("ExistingSecretArn".to_string(), String::new()),
        ];
        assert_eq!(
            sent(&p),
            [
                ParamValue::Value("TargetUrl".into(), "http://a/".into()),
                ParamValue::UsePrevious("Secret".into()),
                ParamValue::Value("ExistingSecretArn".into(), String::new()),
            ]
        );
        assert_eq!(value(&p, "ExistingSecretArn"), None);
        assert_eq!(value(&p, "TargetUrl").as_deref(), Some("http://a/"));
    }
}
