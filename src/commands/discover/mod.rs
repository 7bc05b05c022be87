//! `evrelay discover`: the private subnets, node security group and internal ALB (or, without
//! one, a Cloud Map service or private-zone name) a relay needs, why each was picked, and the
//! `evrelay deploy` command line that uses them. The report and its tables are in [`report`];
//! the service-discovery reads in [`targets`].

mod report;
mod targets;

use clap::Args;

use crate::cert_issuer::CertificateIssuer;
use crate::cli::{GlobalArgs, DEFAULT_STACK};
use crate::context::Context;
use crate::error::Result;
use crate::hosts::HostPick;
use crate::network::{self, service_targets, Discovery};
pub use report::DiscoverReport;

#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    /// Look in this VPC.
    #[arg(long, value_name = "VPC_ID", conflicts_with = "cluster")]
    pub vpc_id: Option<String>,

    /// Look in the VPC of this EKS cluster (eksctl's tags).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
}

pub async fn run(ctx: &Context, args: DiscoverArgs) -> Result<()> {
    let spinner = ctx.printer.spinner("reading the VPC");
    let discovery = network::discover(
        ctx.ec2(),
        ctx.elb(),
        args.vpc_id.as_deref(),
        args.cluster.as_deref(),
    )
    .await;
    spinner.finish_and_clear();
    let mut discovery = discovery?;
    let (target_host, certificate_issuer) = target_host(ctx, &mut discovery).await?;
    let mut service_discovery_targets = targets::fetch(ctx, &mut discovery).await;
    // A service-discovery name is the URL only where no internal ALB is: the ALB is the
    // front door the service's owners made.
    let service_url = if discovery.picks.load_balancer.is_none() {
        let picked =
            service_targets::pick(&mut service_discovery_targets).and_then(|t| t.url.clone());
        if picked.is_some() {
            let no_alb = network::no_alb_warning(&discovery.vpc.id);
            discovery.warnings.retain(|w| *w != no_alb);
        }
        picked
    } else {
        None
    };
    for warning in &discovery.warnings {
        ctx.printer.warn(warning);
    }
    let deploy_command = deploy_command(
        &ctx.globals,
        &discovery,
        service_url.as_deref(),
        target_host.as_deref(),
    );
    ctx.printer.report(&DiscoverReport {
        discovery,
        target_host,
        certificate_issuer,
        service_discovery_targets,
        deploy_command,
    })
}

/// The `--host` the picked load balancer's listener needs (its rules' host-header, else its
/// certificate's name); a listener that only redirects is shown but not picked: the relay
/// never follows a redirect. Also who issued the listener's default certificate, so a private
/// CA is named before deliveries fail TLS.
async fn target_host(
    ctx: &Context,
    d: &mut Discovery,
) -> Result<(Option<String>, Option<CertificateIssuer>)> {
    let Some(lb) = d.picks.load_balancer.clone() else {
        return Ok((None, None));
    };
    // Best effort: an operator allowed to describe the VPC may not be allowed to read listener
    // rules or ACM certificates, and that must not hide the rest of what discover found.
    let facts = match crate::aws::listener_hosts::listener_facts(
        ctx.elb(),
        ctx.acm(),
        &lb.arn,
        lb.port,
    )
    .await
    {
        Ok(Some(facts)) => facts,
        Ok(None) => return Ok((None, None)),
        Err(e) => {
            d.warnings.push(format!(
                    "could not read the rules and certificates of `{}` ({}); pass --host if it routes by host name",
                    lb.name, e.message
                ));
            return Ok((None, None));
        }
    };
    // The default certificate is the one the relay gets (it sends SNI for the host it posts to,
    // and the certificates on one listener normally share an issuer).
    let issuer = facts
        .certificates
        .first()
        .map(crate::cert_issuer::certificate_issuer);
    let host = match crate::hosts::pick_host(&facts) {
        HostPick::UrlHost => None,
        HostPick::Host { name, from } => {
            ctx.printer
                .note(&format!("--host {name}: from {from} of `{}`.", lb.name));
            Some(name)
        }
        HostPick::Hint(hint) => {
            d.warnings.push(format!("`{}`: {hint}", lb.name));
            None
        }
        HostPick::Unusable(why) => {
            d.warnings
                .push(format!("`{}` is not picked: {why}", lb.name));
            d.picks.load_balancer = None;
            return Ok((None, None));
        }
    };
    Ok((host, issuer))
}

/// The exact command to run next. Global flags given on this command line are repeated so the
/// deploy lands in the same account, region and stack (the default stack is left out).
/// `service_url`: the picked service-discovery target's, used when no ALB was picked.
pub fn deploy_command(
    globals: &GlobalArgs,
    d: &Discovery,
    service_url: Option<&str>,
    host: Option<&str>,
) -> String {
    let mut words = vec!["evrelay".to_string(), "deploy".to_string()];
    let mut flag = |name: &str, value: &str| {
        words.push(name.to_string());
        words.push(value.to_string());
    };
    if let Some(profile) = &globals.profile {
        flag("--profile", profile);
    }
    if let Some(region) = &globals.region {
        flag("--region", region);
    }
    if let Some(endpoint) = &globals.endpoint_url {
        flag("--endpoint-url", endpoint);
    }
    if globals.stack != DEFAULT_STACK {
        flag("--stack", &globals.stack);
    }
    match &d.picks.subnets {
        Some(p) => p.ids.iter().for_each(|id| flag("--subnet", id)),
        None => {
            flag("--subnet", "<SUBNET_ID>");
            flag("--subnet", "<SUBNET_ID>");
        }
    }
    flag(
        "--security-group",
        d.picks
            .security_group
            .as_ref()
            .map_or("<SG_ID>", |p| p.id.as_str()),
    );
    flag(
        "--url",
        d.picks
            .load_balancer
            .as_ref()
            .map(|p| p.url.as_str())
            .or(service_url)
            .unwrap_or("<URL>"),
    );
    if let Some(host) = host {
        flag("--host", host);
    }
    words.push("--secret-stdin".into());
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::network::egress::EventBridgeReach;
    use crate::network::load_balancers::LoadBalancerPick;
    use crate::network::security_groups::SecurityGroupPick;
    use crate::network::subnets::SubnetPick;
    use crate::network::{Endpoints, Picks, VpcInfo};
    use clap::Parser;

    fn discovery(picks: Picks) -> Discovery {
        Discovery {
            region: "us-east-1".into(),
            vpc: VpcInfo::default(),
            subnets: vec![],
            security_groups: vec![],
            load_balancers: vec![],
            nat_gateways: vec![],
            endpoints: Endpoints {
                secretsmanager: vec![],
                events: vec![],
                note: crate::endpoints::SERVES_THE_VPC,
            },
            eventbridge: EventBridgeReach {
                reachable: true,
                via: None,
                reason: String::new(),
            },
            picks,
            relay_reaches_load_balancer: None,
            warnings: vec![],
        }
    }

    #[test]
    fn deploy_command_uses_the_picks_and_repeats_given_globals() {
        let d = discovery(Picks {
            subnets: Some(SubnetPick {
                ids: vec!["subnet-a".into(), "subnet-b".into()],
                azs: vec![],
                reason: String::new(),
                warning: None,
            }),
            security_group: Some(SecurityGroupPick {
                id: "sg-1".into(),
                reason: String::new(),
            }),
            load_balancer: Some(LoadBalancerPick {
                name: "app".into(),
                arn: String::new(),
                url: "http://app.elb/".into(),
                port: 80,
                reason: String::new(),
            }),
        });
        let mut cli = Cli::parse_from(["evrelay", "discover"]);
        cli.global.apply_config(&Default::default()).unwrap();
        assert_eq!(
            deploy_command(&cli.global, &d, None, None),
            "evrelay deploy --subnet subnet-a --subnet subnet-b --security-group sg-1 --url http://app.elb/ --secret-stdin"
        );
        let mut cli = Cli::parse_from([
            "evrelay",
            "--region",
            "eu-west-1",
            "--stack",
            "orders",
            "discover",
        ]);
        cli.global.apply_config(&Default::default()).unwrap();
        assert_eq!(
            deploy_command(&cli.global, &d, None, None),
            "evrelay deploy --region eu-west-1 --stack orders --subnet subnet-a --subnet subnet-b --security-group sg-1 --url http://app.elb/ --secret-stdin"
        );
    }

    #[test]
    fn missing_picks_become_placeholders() {
        let mut cli = Cli::parse_from(["evrelay", "discover"]);
        cli.global.apply_config(&Default::default()).unwrap();
        let line = deploy_command(
            &cli.global,
            &discovery(Picks {
                subnets: None,
                security_group: None,
                load_balancer: None,
            }),
            None,
            None,
        );
        assert!(
            line.contains(
                "--subnet <SUBNET_ID> --subnet <SUBNET_ID> --security-group <SG_ID> --url <URL>"
            ),
            "{line}"
        );
    }

    #[test]
    fn a_listener_host_goes_on_the_deploy_line() {
        let mut cli = Cli::parse_from(["evrelay", "discover"]);
        cli.global.apply_config(&Default::default()).unwrap();
        let line = deploy_command(
            &cli.global,
            &discovery(Picks {
                subnets: None,
                security_group: None,
                load_balancer: None,
            }),
            None,
            Some("app.example.com"),
        );
        assert!(
            line.ends_with("--url <URL> --host app.example.com --secret-stdin"),
            "{line}"
        );
    }
}
