//! discover's report: what was found and picked, as tables and as stable JSON.

use serde::Serialize;

use crate::cert_issuer::CertificateIssuer;
use crate::network::service_targets::ServiceDiscoveryTarget;
use crate::network::Discovery;
use crate::printer::{Report, Style};

#[derive(Debug, Serialize)]
pub struct DiscoverReport {
    #[serde(flatten)]
    pub discovery: Discovery,
    /// The host name to send (`deploy --host`), when the listener routes or certifies by name.
    pub target_host: Option<String>,
    /// Who issued the picked listener's default certificate and whether the relay needs
    /// `deploy --ca-bundle` to trust it.
    pub certificate_issuer: Option<CertificateIssuer>,
    /// The VPC's Cloud Map services and private-zone names, as URL candidates beside the ALBs.
    pub service_discovery_targets: Vec<ServiceDiscoveryTarget>,
    /// The `evrelay deploy` invocation with the picked values (placeholders where nothing was picked).
    pub deploy_command: String,
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

        out.push_str(&service_discovery_table(
            &self.service_discovery_targets,
            style,
        ));

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
        let (url, why) = match self
            .service_discovery_targets
            .iter()
            .find(|t| t.picked && t.url.is_some())
        {
            Some(t) if d.picks.load_balancer.is_none() => (
                t.url.clone().unwrap_or_default(),
                format!(
                    "{} {} in {}: {}",
                    source_name(t.source),
                    t.service,
                    t.namespace,
                    t.note
                ),
            ),
            _ => (url, why),
        };
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

fn source_name(source: &str) -> &'static str {
    if source == crate::network::service_targets::CLOUD_MAP {
        "Cloud Map service"
    } else {
        "private zone name"
    }
}

/// The "Service discovery" section: one row per candidate, the pick marked in its note.
fn service_discovery_table(targets: &[ServiceDiscoveryTarget], style: &Style) -> String {
    let title = style.bold("Service discovery");
    if targets.is_empty() {
        return format!(
            "{title}\nnone in this VPC (no Cloud Map private namespace, no private hosted zone record)\n\n"
        );
    }
    let mut t = style.table(["source", "namespace", "service", "port", "url", "note"]);
    for s in targets {
        t.add_row([
            s.source.to_string(),
            s.namespace.clone(),
            s.service.clone(),
            s.port.map_or_else(|| "-".into(), |p| p.to_string()),
            s.url.clone().unwrap_or_else(|| "-".into()),
            if s.picked {
                format!("picked: {}", s.note)
            } else {
                s.note.clone()
            },
        ]);
    }
    format!("{title}\n{t}\n\n")
}
