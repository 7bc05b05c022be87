//! `evrelay deploy`: preflight, VPC endpoints, change set, live progress.
//!
//! Order matters: every check runs before anything is created; the change set is shown (and
//! confirmed) before the endpoints are created and the change is executed; a stack that can
//! only be deleted is removed only after the checks pass and the operator agrees.

mod params;
mod preflight;
mod report;
mod secret;

use clap::Args;

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::names::{TAG_MANAGED, TAG_STACK};
use crate::printer::confirm;
use crate::stack::changeset::{self, ChangeSetSpec, ChangeSetState};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::progress::Progress;
use crate::stack::watch::WatchOptions;
use crate::stack::{self, describe_stack, Operation, StackInfo};
use crate::template;

pub use params::Settings;
use preflight::{EndpointPlan, NetworkPlan};
use report::{ChangeSetReport, DeployResult, EndpointAction};

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// A private subnet for the relay (repeat for each; at least two AZs).
    #[arg(long = "subnet", value_name = "SUBNET_ID")]
    pub subnets: Vec<String>,

    /// The security group the relay runs in.
    #[arg(long, value_name = "SG_ID")]
    pub security_group: Option<String>,

    /// The private endpoint every event is POSTed to, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Take discover's picks from this VPC (explicit flags win).
    #[arg(long, value_name = "VPC_ID", conflicts_with = "cluster")]
    pub vpc_id: Option<String>,

    /// Take discover's picks from this EKS cluster's VPC (explicit flags win).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Read the endpoint's API key from stdin (one line).
    #[arg(long, group = "secret_source")]
    pub secret_stdin: bool,

    /// Read the endpoint's API key from this environment variable.
    #[arg(long, value_name = "VAR", group = "secret_source")]
    pub secret_env: Option<String>,

    /// Generate a random API key (never printed: read it from Secrets Manager when needed).
    #[arg(long, group = "secret_source")]
    pub generate_secret: bool,

    /// The detail-type the inbound rule matches [default: inbound-event-sent, or the stack's].
    #[arg(long, value_name = "TYPE")]
    pub detail_type: Option<String>,

    /// The header that carries the API key [default: api-key, or the stack's].
    #[arg(long, value_name = "NAME")]
    pub auth_header: Option<String>,

    /// Reserved concurrency for the relay, 0 = unreserved [default: 0, or the stack's].
    #[arg(long, value_name = "N")]
    pub reserved_concurrency: Option<u32>,

    /// The relay function's timeout in seconds, 30-900 [default: 30, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(30..=900))]
    pub function_timeout: Option<u32>,

    /// How long the relay waits for the endpoint's response in seconds, 1-25, below the
    /// function timeout [default: 10, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=25))]
    pub read_timeout: Option<u32>,

    /// Days to keep the relay's and the bus's logs (a CloudWatch Logs retention value)
    /// [default: 14, or the stack's].
    #[arg(long, value_name = "DAYS")]
    pub log_retention_days: Option<u32>,

    /// The relay's way to EventBridge when evrelay cannot verify its subnets' route (a transit
    /// gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip`
    /// it (that route reaches the internet). Such a route without this flag stops the deploy.
    #[arg(long, value_enum, value_name = "CHOICE")]
    pub events_endpoint: Option<preflight::EventsEndpoint>,

    /// Show the change set, then stop (the change set is deleted; nothing changes).
    #[arg(long)]
    pub dry_run: bool,
}

impl DeployArgs {
    fn secret_source(&self) -> secret::Source {
        match (&self.secret_env, self.secret_stdin, self.generate_secret) {
            (Some(var), _, _) => secret::Source::Env(var.clone()),
            (_, true, _) => secret::Source::Stdin,
            (_, _, true) => secret::Source::Generate,
            _ => secret::Source::Unspecified,
        }
    }
}

pub async fn run(ctx: &Context, args: DeployArgs) -> Result<()> {
    let cfn = ctx.cloudformation();
    let stack_name = ctx.names.stack.clone();
    params::check_usage(&args)?;

    // A stack in the middle of a change: follow it to the end rather than fail.
    let mut existing = describe_stack(cfn, &stack_name).await?;
    if let Some(s) = existing
        .as_ref()
        .filter(|s| !stack::is_settled(&s.status) && s.status != "REVIEW_IN_PROGRESS")
    {
        ctx.printer.note(&format!(
            "Stack {stack_name} is {}; waiting for it to settle first.",
            s.status
        ));
        wait_for_running_change(ctx, s).await?;
        existing = describe_stack(cfn, &stack_name).await?;
    }
    if let Some(s) = existing.as_ref().filter(|s| s.status == "DELETE_FAILED") {
        return Err(Error::failed(format!(
            "stack `{stack_name}` is {}: a deploy cannot update it",
            s.status
        ))
        .hint("run `evrelay destroy` to finish deleting it, then deploy again"));
    }
    if existing
        .as_ref()
        .is_some_and(|s| s.status == "UPDATE_ROLLBACK_FAILED")
    {
        return Err(Error::failed(format!(
            "stack `{stack_name}` is UPDATE_ROLLBACK_FAILED: CloudFormation cannot update it until the rollback finishes"
        ))
        .hint(format!(
            "fix what blocked the rollback (`evrelay status` shows the resource), then `aws cloudformation continue-update-rollback --stack-name {stack_name}`"
        )));
    }
    let doomed = existing
        .as_ref()
        .filter(|s| stack::needs_removal(&s.status))
        .cloned();
    let current = existing.as_ref().filter(|_| doomed.is_none());

    let picks = match (&args.vpc_id, &args.cluster) {
        (None, None) => None,
        (vpc, cluster) => Some(
            preflight::discover_picks(ctx.ec2(), ctx.elb(), vpc.as_deref(), cluster.as_deref())
                .await?,
        ),
    };
    let settings = params::resolve(
        &args,
        current.map(|s| s.parameters.as_slice()).unwrap_or(&[]),
        picks.as_ref(),
    )?;
    let secret = secret::read(&args.secret_source(), current.is_some())?;

    // Everything is checked before anything is created.
    let clients = preflight::Clients {
        ec2: ctx.ec2(),
        elb: ctx.elb(),
        logs: ctx.logs(),
    };
    let plan = preflight::run(
        clients,
        ctx.region(),
        &ctx.names.stack,
        &settings,
        args.events_endpoint,
    )
    .await?;
    note_shared_endpoints(ctx, &plan).await?;

    if let Some(doomed) = &doomed {
        let question = format!(
            "Stack {stack_name} is {} and can only be deleted. Delete it and deploy again?",
            doomed.status
        );
        if !confirm(ctx.globals.yes, &question)? {
            return Err(Error::failed("deploy cancelled; nothing changed"));
        }
        remove_stack(ctx, doomed).await?;
    }

    let operation = if current.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    let spec = ChangeSetSpec {
        stack: stack_name.clone(),
        name: changeset::change_set_name(),
        operation,
        template_body: template::render(),
        parameters: params::parameters(&settings, secret.as_ref()),
        tags: vec![
            (TAG_STACK.into(), stack_name.clone()),
            (TAG_MANAGED.into(), "true".into()),
        ],
    };
    let spinner = ctx.printer.spinner("Creating the change set");
    let created = changeset::create_change_set(cfn, &spec).await?;
    let state = changeset::wait_for_change_set(
        cfn,
        &created.id,
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(600),
    )
    .await;
    spinner.finish_and_clear();
    let endpoint_actions = plan.endpoint_actions();
    let changes = match state {
        Err(e) => {
            discard_change_set(ctx, &created.id, operation).await;
            return Err(e);
        }
        Ok(ChangeSetState::Failed(reason)) => {
            discard_change_set(ctx, &created.id, operation).await;
            return Err(Error::failed(format!("CloudFormation refused the change set: {reason}"))
                .hint("the template or a parameter was rejected; fix the value named above and deploy again"));
        }
        Ok(ChangeSetState::NoChanges) => {
            discard_change_set(ctx, &created.id, operation).await;
            ctx.printer.note(&format!(
                "Stack {stack_name} is up to date: nothing to change."
            ));
            // The stack is, but an endpoint it needs may have been deleted since.
            if plan.creates_endpoints() {
                let preview = ChangeSetReport::new(
                    &stack_name,
                    operation,
                    Vec::new(),
                    endpoint_actions.clone(),
                );
                ctx.printer.report(&preview)?;
                if args.dry_run {
                    ctx.printer.note("Dry run: nothing changed.");
                    return Ok(());
                }
                if !confirm(ctx.globals.yes, "Create the missing VPC endpoints?")? {
                    return Err(Error::failed("deploy cancelled; nothing changed"));
                }
                create_endpoints(ctx, &plan).await?;
            }
            return finish(ctx, operation, None, endpoint_actions, true).await;
        }
        Ok(ChangeSetState::Ready(changes)) => changes,
    };

    let preview = ChangeSetReport::new(&stack_name, operation, changes, endpoint_actions.clone());
    ctx.printer.report(&preview)?;
    if args.dry_run {
        discard_change_set(ctx, &created.id, operation).await;
        ctx.printer
            .note("Dry run: the change set was deleted; nothing changed.");
        return Ok(());
    }
    // Refused, or no terminal to ask on: the change set goes either way.
    match confirm(
        ctx.globals.yes,
        &format!("Deploy these changes to stack {stack_name}?"),
    ) {
        Ok(true) => {}
        Ok(false) => {
            discard_change_set(ctx, &created.id, operation).await;
            return Err(Error::failed(
                "deploy cancelled; the change set was deleted and nothing changed",
            ));
        }
        Err(e) => {
            discard_change_set(ctx, &created.id, operation).await;
            return Err(e);
        }
    }

    create_endpoints(ctx, &plan).await?;
    // One Logs resource policy for every relay in the region, outside any stack.
    crate::aws::logs_policy::ensure(ctx.logs(), &created.stack_id).await?;
    if operation == Operation::Create {
        preflight::queue_window::wait_out(
            &ctx.printer,
            cfn,
            &stack_name,
            preflight::queue_window::window(),
        )
        .await?;
    }

    let cursor = Cursor::after(&latest_events(cfn, &created.stack_id).await?);
    let token = stack::request_token("deploy");
    changeset::execute_change_set(cfn, &created.id, &token).await?;
    let mut progress = Progress::new(
        &stack_name,
        operation,
        template::resource_descriptions(&template::render()),
    );
    let outcome = follow(
        &ctx.printer,
        cfn,
        &created.stack_id,
        cursor,
        &mut progress,
        &WatchOptions::default(),
        None,
    )
    .await?;
    if !outcome.ok {
        if ctx.printer.json() {
            ctx.printer
                .json_line(&DeployResult::failed(&outcome, endpoint_actions))?;
        }
        return Err(outcome_error(&outcome));
    }
    ctx.printer.note(&format!(
        "Stack {stack_name}: {} in {}.",
        outcome.status,
        stack::render::duration(std::time::Duration::from_millis(outcome.elapsed_ms as u64))
    ));
    finish(
        ctx,
        operation,
        Some(outcome.elapsed_ms),
        endpoint_actions,
        false,
    )
    .await
}

/// The result: the stack's outputs (or, where CloudFormation sets none, the names evrelay
/// derives from the stack name).
async fn finish(
    ctx: &Context,
    operation: Operation,
    elapsed_ms: Option<u128>,
    endpoints: Vec<EndpointAction>,
    up_to_date: bool,
) -> Result<()> {
    let info = describe_stack(ctx.cloudformation(), &ctx.names.stack).await?;
    let result = DeployResult::succeeded(
        &ctx.names,
        info.as_ref(),
        operation,
        elapsed_ms,
        endpoints,
        up_to_date,
    );
    ctx.printer.report(&result)
}

/// Deletes an unexecuted change set; for a new stack also the empty REVIEW_IN_PROGRESS stack
/// CloudFormation made for it, so a dry run or a refusal leaves nothing behind.
async fn discard_change_set(ctx: &Context, change_set_id: &str, operation: Operation) {
    let cfn = ctx.cloudformation();
    if let Err(e) = changeset::delete_change_set(cfn, change_set_id).await {
        ctx.printer
            .warn(&format!("could not delete the change set: {}", e.message));
    }
    if operation == Operation::Create {
        if let Err(e) =
            stack::delete_stack(cfn, &ctx.names.stack, &stack::request_token("discard")).await
        {
            ctx.printer.warn(&format!(
                "could not delete the empty stack {}: {}",
                ctx.names.stack, e.message
            ));
        }
    }
}

/// Follows a change someone else started (or an earlier run left running) to its end.
async fn wait_for_running_change(ctx: &Context, s: &StackInfo) -> Result<()> {
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
        &WatchOptions::default(),
        None,
    )
    .await
    .map(|_| ())
}

/// Deletes a stack that can only be deleted (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS, …).
async fn remove_stack(ctx: &Context, s: &StackInfo) -> Result<()> {
    let cfn = ctx.cloudformation();
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    stack::delete_stack(cfn, &s.id, &stack::request_token("remove")).await?;
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
        &WatchOptions::default(),
        None,
    )
    .await?;
    if outcome.ok {
        Ok(())
    } else {
        Err(outcome_error(&outcome))
    }
}

/// Creates the endpoints the plan calls for and waits until they are available.
async fn create_endpoints(ctx: &Context, plan: &NetworkPlan) -> Result<()> {
    let ec2 = ctx.ec2();
    let mut created = Vec::new();
    for (service, endpoint) in plan.endpoints() {
        if let EndpointPlan::Create(new) = endpoint {
            let e = endpoints::create(ec2, new).await?;
            ctx.printer.note(&format!(
                "Created VPC endpoint {} for {service} (private DNS, in {}).",
                e.id,
                new.subnets.join(", ")
            ));
            created.push(e.id);
        }
    }
    if !created.is_empty() {
        let spinner = ctx
            .printer
            .spinner("Waiting for the VPC endpoints to become available");
        let waited = endpoints::wait_available(
            ec2,
            &created,
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(900),
        )
        .await;
        spinner.finish_and_clear();
        waited?;
    }
    Ok(())
}

/// A reused endpoint evrelay created for another relay stays that relay's: say so, so the
/// operator knows `evrelay destroy` of either one keeps it while the other needs it.
async fn note_shared_endpoints(ctx: &Context, plan: &NetworkPlan) -> Result<()> {
    let reused: Vec<String> = plan
        .endpoints()
        .into_iter()
        .filter_map(|(_, e)| match e {
            EndpointPlan::Reuse(id) => Some(id.clone()),
            EndpointPlan::Create(_) => None,
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
