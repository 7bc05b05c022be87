//! `evrelay discover`: the private subnets, node security group and internal ALB a relay needs,
//! why each was picked, and the `evrelay deploy` command line that uses them. (Over 400 lines
//! with its rendering and unit tests, which are about a third of it.)

use clap::Args;
use serde::Serialize;

use crate::cert_issuer::CertificateIssuer;
use crate::cli::{GlobalArgs, DEFAULT_STACK};
use crate::context::Context;
use crate::error::Result;
use crate::hosts::HostPick;
use crate::network::{self, Discovery};
use crate::printer::{Report, Style};

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
    for warning in &discovery.warnings {
        ctx.printer.warn(warning);
    }
    let deploy_command = deploy_command(&ctx.globals, &discovery, target_host.as_deref());
    ctx.printer.report(&DiscoverReport {
        discovery,
        target_host,
        certificate_issuer,
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

#[derive(Debug, Serialize)]
pub struct DiscoverReport {
    #[serde(flatten)]
    pub discovery: Discovery,
    /// The host name to send (`deploy --host`), when the listener routes or certifies by name.
    pub target_host: Option<String>,
    /// Who issued the picked listener's default certificate and whether the relay needs
    /// `deploy --ca-bundle` to trust it.
    pub certificate_issuer: Option<CertificateIssuer>,
    /// The `evrelay deploy` invocation with the picked values (placeholders where nothing was picked).
    pub deploy_command: String,
}

/// The exact command to run next. Global flags given on this command line are repeated so the
/// deploy lands in the same account, region and stack (the default stack is left out).
pub fn deploy_command(globals: &GlobalArgs, d: &Discovery, host: Option<&str>) -> String {
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
            .map_or("<URL>", |p| p.url.as_str()),
    );
    if let Some(host) = host {
        flag("--host", host);
    }
    words.push("--secret-stdin".into());
    words.join(" ")
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

impl Report for DiscoverReport {
    fn render(&self, style: &Style) -> String {
        let d = &self.discovery;
        let mut out = String::new();
        let vpc_name = d
            .vpc
            .name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {}{vpc_name} {} in {} ({})\n\n",
            style.bold("VPC"),
            d.vpc.id,
            d.vpc.cidr,
            d.region,
            d.vpc.reason
        ));

        let picked_subnets: &[String] = d.picks.subnets.as_ref().map_or(&[], |p| &p.ids);
        let mut t = style.table([
            "subnet",
            "az",
            "cidr",
            "name",
            "private",
            "nat egress",
            "internal-elb",
            "0.0.0.0/0",
            "picked",
        ]);
        for s in &d.subnets {
            t.add_row([
                s.id.clone(),
                s.az.clone(),
                s.cidr.clone(),
                s.name.clone().unwrap_or_default(),
                yes_no(s.private).into(),
                yes_no(s.nat_egress).into(),
                yes_no(s.internal_elb_tag).into(),
                s.default_route.clone().unwrap_or_else(|| "-".into()),
                if picked_subnets.contains(&s.id) {
                    "*".into()
                } else {
                    String::new()
                },
            ]);
        }
        out.push_str(&format!("{}\n{t}\n\n", style.bold("Subnets")));

        let mut t = style.table(["security group", "group name", "name", "note"]);
        for g in &d.security_groups {
            t.add_row([
                g.id.clone(),
                g.group_name.clone(),
                g.name.clone().unwrap_or_default(),
                g.note.clone().unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("{}\n{t}\n\n", style.bold("Security groups")));

        if d.load_balancers.is_empty() {
            out.push_str(&format!(
                "{}\nnone in this VPC\n\n",
                style.bold("Load balancers")
            ));
        } else {
            let mut t = style.table([
                "load balancer",
                "scheme",
                "dns name",
                "listeners",
                "url",
                "note",
            ]);
            for lb in &d.load_balancers {
                let listeners: Vec<String> = lb.listeners.iter().map(|l| l.to_string()).collect();
                t.add_row([
                    lb.name.clone(),
                    lb.scheme.clone(),
                    lb.dns_name.clone(),
                    if listeners.is_empty() {
                        "-".into()
                    } else {
                        listeners.join(" ")
                    },
                    lb.url.clone().unwrap_or_else(|| "-".into()),
                    lb.note.clone().unwrap_or_default(),
                ]);
            }
            out.push_str(&format!("{}\n{t}\n\n", style.bold("Load balancers")));
        }

        let mut t = style.table(["service", "endpoint", "state", "private dns"]);
        for (service, found) in [
            ("secretsmanager", &d.endpoints.secretsmanager),
            ("events", &d.endpoints.events),
        ] {
            if found.is_empty() {
                let none = if service == "secretsmanager" {
                    "none (deploy creates one, with its own security group)"
                } else {
                    "none"
                };
                t.add_row([service.to_string(), none.into(), "-".into(), "-".into()]);
            }
            for e in found {
                t.add_row([
                    service.to_string(),
                    e.id.clone(),
                    e.state.clone(),
                    yes_no(e.private_dns).into(),
                ]);
            }
        }
        out.push_str(&format!("{}\n{t}\n", style.bold("Interface endpoints")));
        out.push_str(&format!("Note: {}.\n", d.endpoints.note));
        let reach = if d.eventbridge.reachable {
            style.green("reachable")
        } else {
            style.red("not reachable")
        };
        out.push_str(&format!(
            "EventBridge from the picked subnets: {reach} ({})\n",
            d.eventbridge.reason
        ));
        if let Some(ok) = d.relay_reaches_load_balancer {
            let verdict = if ok {
                style.green("allow")
            } else {
                style.red("do not allow")
            };
            out.push_str(&format!(
                "Security groups {verdict} the relay to reach the picked ALB\n"
            ));
        }
        out.push('\n');

        let mut t = style.table(["pick", "value", "why"]);
        let none = || ("-".to_string(), "nothing to pick".to_string());
        let (subnets, why) = d
            .picks
            .subnets
            .as_ref()
            .map_or_else(none, |p| (p.ids.join(" "), p.reason.clone()));
        t.add_row(["subnets".to_string(), subnets, why]);
        let (sg, why) = d
            .picks
            .security_group
            .as_ref()
            .map_or_else(none, |p| (p.id.clone(), p.reason.clone()));
        t.add_row(["security group".to_string(), sg, why]);
        let (url, why) = d.picks.load_balancer.as_ref().map_or_else(none, |p| {
            (p.url.clone(), format!("{}: {}", p.name, p.reason))
        });
        t.add_row(["url".to_string(), url, why]);
        if let Some(c) = &self.certificate_issuer {
            let issuer = format!(
                "{} ({})",
                c.issuer.as_deref().unwrap_or("-"),
                c.kind.to_ascii_lowercase().replace('_', "-")
            );
            let why = c
                .note
                .clone()
                .unwrap_or_else(|| "Amazon-issued, publicly trusted".into());
            t.add_row(["certificate issuer".to_string(), issuer, why]);
        }
        out.push_str(&format!("{}\n{t}\n\n", style.bold("Picks")));

        out.push_str(&self.deploy_command);
        out.push('\n');
        out
    }
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
            deploy_command(&cli.global, &d, None),
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
            deploy_command(&cli.global, &d, None),
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
            Some("app.example.com"),
        );
        assert!(
            line.ends_with("--url <URL> --host app.example.com --secret-stdin"),
            "{line}"
        );
    }
}
