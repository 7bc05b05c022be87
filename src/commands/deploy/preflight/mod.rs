//! Deploy's preflight: every check that can fail runs before anything is created, each failure
//! one line naming the value, with a hint. The reads go through `crate::aws` and
//! `crate::network` (the same VPC view `evrelay discover` shows); every decision is a small
//! pure rule in [`rules`], unit-tested against the failing account state.

#[cfg(test)]
mod account_tests;
mod centralised;
mod load_balancer;
mod log_groups;
pub mod queue_window;
mod rules;
mod service_target;
mod skips;
#[cfg(test)]
mod tests;
mod zones;

use url::Url;

use super::params::{Picks, Settings};
use super::report::EndpointAction;
use crate::aws::ec2::VpcFacts;
use crate::aws::logs_policy::LogsPolicyPlan;
use crate::endpoints::{NewEndpoint, EVENTS, SECRETS_MANAGER};
use crate::error::Result;
use crate::network::VpcView;

pub use rules::check_url;
pub use skips::{parse_skip_check, SkippedCheck};

/// `--events-endpoint`: what to do about EventBridge when evrelay cannot decide alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsEndpoint {
    /// Create (or reuse) an `events` interface endpoint.
    Create,
    /// No endpoint: the subnets' route leads to the internet.
    Skip,
}

/// What deploy will do about one VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointPlan {
    Reuse(String),
    Create(NewEndpoint),
    /// A private hosted zone (its id) associated with the VPC serves the service from a shared
    /// VPC: nothing to create ([`centralised`]).
    Centralised(String),
}

/// The checked network: where the relay runs and which endpoints it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPlan {
    pub vpc_id: String,
    /// The plan and why.
    pub secrets: (EndpointPlan, String),
    /// None: the subnets reach EventBridge another way (NAT, or `--events-endpoint skip`).
    pub events: Option<(EndpointPlan, String)>,
    /// The region's shared Logs resource policy (`crate::aws::logs_policy`).
    pub logs_policy: LogsPolicyPlan,
    /// `--skip-check`s, each with what it would have refused: printed with the plan.
    pub skipped_checks: Vec<SkippedCheck>,
}

impl NetworkPlan {
    pub fn endpoints(&self) -> Vec<(&'static str, &EndpointPlan)> {
        let mut out = vec![(SECRETS_MANAGER, &self.secrets.0)];
        if let Some((e, _)) = &self.events {
            out.push((EVENTS, e));
        }
        out
    }

    pub fn creates_endpoints(&self) -> bool {
        self.endpoints()
            .iter()
            .any(|(_, e)| matches!(e, EndpointPlan::Create(_)))
    }

    pub fn endpoint_actions(&self) -> Vec<EndpointAction> {
        let mut v = vec![action(SECRETS_MANAGER, &self.secrets)];
        if let Some(e) = &self.events {
            v.push(action(EVENTS, e));
        }
        v
    }
}

fn action(service: &str, (plan, why): &(EndpointPlan, String)) -> EndpointAction {
    let (action, id) = match plan {
        EndpointPlan::Reuse(id) => ("reuse", Some(id.clone())),
        EndpointPlan::Create(_) => ("create", None),
        EndpointPlan::Centralised(zone) => ("centralised", Some(zone.clone())),
    };
    EndpointAction {
        service: service.into(),
        action: action.into(),
        id,
        why: why.clone(),
    }
}

/// The clients preflight reads with.
#[derive(Clone, Copy)]
pub struct Clients<'a> {
    pub ec2: &'a aws_sdk_ec2::Client,
    pub elb: &'a aws_sdk_elasticloadbalancingv2::Client,
    pub logs: &'a aws_sdk_cloudwatchlogs::Client,
    pub route53: &'a aws_sdk_route53::Client,
    pub lambda: &'a aws_sdk_lambda::Client,
    pub service_discovery: &'a aws_sdk_servicediscovery::Client,
}

/// discover's picks, for `--vpc-id` / `--cluster`.
pub async fn discover_picks(
    ec2: &aws_sdk_ec2::Client,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    vpc: Option<&str>,
    cluster: Option<&str>,
) -> Result<Picks> {
    let found = crate::network::discover(ec2, elb, vpc, cluster).await?;
    Ok(Picks {
        subnets: found.picks.subnets.map(|p| p.ids).unwrap_or_default(),
        security_group: found.picks.security_group.map(|p| p.id),
        url: found.picks.load_balancer.map(|p| p.url),
    })
}

/// The relay's subnets and groups exist in this Region, all in one VPC: its id. A pair checks
/// its secondary's this way before anything is made in either Region.
pub async fn locate_network(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    settings: &Settings,
) -> Result<String> {
    let (subnets, groups) =
        crate::aws::ec2::locate(ec2, &settings.subnets, &settings.security_groups).await?;
    rules::one_vpc(settings, &subnets, &groups, region)
}

/// Reads the account (nothing is written), then decides. `new_stack`: no stack of this name
/// exists, so the stack's named log groups must not exist either. `skip_checks`: the
/// `--skip-check` names (see [`skips`]).
pub async fn run(
    clients: Clients<'_>,
    region: &str,
    stack: &str,
    settings: &Settings,
    events: Option<EventsEndpoint>,
    new_stack: bool,
    skip_checks: &[String],
) -> Result<NetworkPlan> {
    let url = check_url(&settings.url)?;
    // A URL naming an address: the groups of the interface that holds it, so an egress rule
    // referencing one of them counts (a reference admits the group's members).
    let target_ip = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .ok();
    let target_groups = match target_ip {
        Some(ip) => crate::aws::ec2::groups_at_address(clients.ec2, &ip.to_string()).await?,
        None => Vec::new(),
    };
    let vpc_id = locate_network(clients.ec2, region, settings).await?;
    let names = crate::names::RelayNames::new(stack);
    let own_groups = [
        names.relay_log_group.as_str(),
        names.events_log_group.as_str(),
    ];
    let leftovers = async {
        if new_stack {
            crate::aws::log_groups::existing(clients.logs, &own_groups).await
        } else {
            Ok(Vec::new())
        }
    };
    // An update gives back what the function reserves now before it reserves anew.
    let function = (!new_stack).then_some(names.function.as_str());
    let (view, facts, policies, leftover_log_groups, hosted_zones, concurrency) = tokio::try_join!(
        crate::network::fetch_vpc_view(clients.ec2, clients.elb, &vpc_id),
        crate::aws::ec2::vpc_facts(clients.ec2, &vpc_id),
        crate::aws::logs_policy::names(clients.logs),
        leftovers,
        crate::aws::route53::zones_of_vpc(clients.route53, &vpc_id, region),
        crate::aws::lambda::concurrency(clients.lambda, function),
    )?;
    let service_target = service_target::fetch(clients, &url, &hosted_zones).await?;
    decide(&Inputs {
        settings,
        url: &url,
        view: &view,
        facts: &facts,
        log_policies: &policies,
        leftover_log_groups: &leftover_log_groups,
        target_groups: &target_groups,
        service_zones: &view.services,
        hosted_zones: &hosted_zones,
        service_target: service_target.as_ref(),
        concurrency: &concurrency,
        skip_checks,
        stack,
        events,
    })
}

/// Everything the decision reads, fetched.
pub struct Inputs<'a> {
    pub settings: &'a Settings,
    pub url: &'a Url,
    pub view: &'a VpcView,
    pub facts: &'a VpcFacts,
    pub log_policies: &'a [String],
    /// The new stack's named log groups that already exist (empty for an update).
    pub leftover_log_groups: &'a [crate::aws::log_groups::LogGroupFacts],
    /// The security groups of the interface holding the URL's address, when it names one.
    pub target_groups: &'a [String],
    /// The zones the Secrets Manager and EventBridge endpoint services are offered in.
    pub service_zones: &'a [crate::aws::ec2::ServiceZones],
    /// Private hosted zones associated with the VPC (a shared VPC's centralised endpoints).
    pub hosted_zones: &'a [crate::aws::route53::HostedZone],
    /// The Cloud Map service or private-zone name the URL's host resolves to, if any.
    pub service_target: Option<&'a service_target::ServiceTarget>,
    /// The account's Lambda concurrency, for `--reserved-concurrency`.
    pub concurrency: &'a crate::aws::lambda::Concurrency,
    pub skip_checks: &'a [String],
    pub stack: &'a str,
    pub events: Option<EventsEndpoint>,
}

/// Pure: the rules in the order an operator fixes things (where the relay runs, what it calls,
/// the account-wide quota, then the endpoints).
pub fn decide(i: &Inputs) -> Result<NetworkPlan> {
    // The flag's values are checked by clap; the config file's arrive here unchecked.
    for name in i.skip_checks {
        parse_skip_check(name).map_err(|e| {
            crate::error::Error::usage(format!("skip_checks: {e}")).hint(
                "fix `skip_checks` in evrelay.toml, or pass --skip-check with one of those names",
            )
        })?;
    }
    let skips = skips::Skips::new(i.skip_checks);
    let net = rules::RelayNet::new(i.settings, i.view)
        .with_zones(i.service_zones)
        .with_hosted_zones(i.hosted_zones);
    net.private_in_two_zones()?;
    load_balancer::check_load_balancer(&net, i.url, &skips)?;
    service_target::check(&net, i.url, i.service_target, &skips)?;
    skips.check(
        "target-egress",
        net.egress_to_target(i.url, i.target_groups),
    )?;
    let logs_policy = crate::aws::logs_policy::plan(i.log_policies, &i.view.region)?;
    log_groups::no_leftover_log_groups(i.stack, i.leftover_log_groups)?;
    crate::aws::lambda::check_reserved(i.settings.reserved_concurrency, i.concurrency)?;
    rules::vpc_dns(i.facts)?;
    let secrets = net.plan_endpoint(SECRETS_MANAGER, i.facts, i.stack, &skips)?;
    let events = net.plan_events(i.facts, i.stack, i.events, &skips)?;
    Ok(NetworkPlan {
        vpc_id: i.facts.id.clone(),
        secrets,
        events,
        logs_policy,
        skipped_checks: skips.into_skipped(),
    })
}
