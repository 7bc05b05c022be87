//! What a load balancer listener says about the host names it serves: its default action,
//! the host-header values of its rules, and the names on its certificates (ACM
//! DescribeCertificate). `hosts::pick_host` decides from these.

use aws_sdk_acm::Client as Acm;
use aws_sdk_elasticloadbalancingv2::types::{ActionTypeEnum, Rule};
use aws_sdk_elasticloadbalancingv2::Client as Elb;

use crate::cert_issuer::CertificateFacts;
use crate::error::{AwsResultExt, Result};
use crate::hosts::{DefaultAction, ListenerFacts};

/// The ARN of the load balancer whose DNS name is `dns_name` (case-insensitive), if any.
pub async fn load_balancer_by_dns(elb: &Elb, dns_name: &str) -> Result<Option<String>> {
    let all: Vec<_> = elb
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeLoadBalancers")?;
    Ok(all
        .into_iter()
        .find(|lb| {
            lb.dns_name()
                .is_some_and(|d| d.eq_ignore_ascii_case(dns_name))
        })
        .and_then(|lb| lb.load_balancer_arn().map(str::to_string)))
}

/// The facts of the listener on `port` of load balancer `lb_arn`; None if it has none there.
pub async fn listener_facts(
    elb: &Elb,
    acm: &Acm,
    lb_arn: &str,
    port: u16,
) -> Result<Option<ListenerFacts>> {
    let listeners: Vec<_> = elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeListeners")?;
    let Some(l) = listeners
        .into_iter()
        .find(|l| l.port() == Some(i32::from(port)))
    else {
        return Ok(None);
    };
    let listener_arn = l.listener_arn().unwrap_or_default().to_string();
    let default_action = match l.default_actions().first() {
        Some(a) if a.r#type() == Some(&ActionTypeEnum::Redirect) => {
            let r = a.redirect_config();
            DefaultAction::Redirect(format!(
                "{}://{}:{}",
                r.and_then(|r| r.protocol())
                    .unwrap_or("#{protocol}")
                    .to_ascii_lowercase(),
                r.and_then(|r| r.host()).unwrap_or("#{host}"),
                r.and_then(|r| r.port()).unwrap_or("#{port}"),
            ))
        }
        Some(a) if a.r#type() == Some(&ActionTypeEnum::FixedResponse) => {
            DefaultAction::FixedResponse
        }
        _ => DefaultAction::Forward,
    };
    let rules = describe_rules(elb, &listener_arn).await?;
    let mut certificate_names = Vec::new();
    let mut certificates = Vec::new();
    for arn in certificate_arns(elb, &listener_arn).await? {
        // Only ACM certificates can be described; an IAM server certificate names nothing here.
        if arn.contains(":acm:") {
            let (names, facts) = describe_certificate(acm, &arn).await?;
            certificate_names.extend(names);
            certificates.extend(facts);
        }
    }
    certificate_names.dedup();
    Ok(Some(ListenerFacts {
        protocol: l
            .protocol()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        port,
        default_action,
        rule_hosts: rule_hosts(&rules),
        certificate_names,
        certificates,
    }))
}

async fn describe_rules(elb: &Elb, listener_arn: &str) -> Result<Vec<Rule>> {
    // DescribeRules pages with Marker but has no paginator in the SDK.
    let mut rules = Vec::new();
    let mut marker = None;
    loop {
        let out = elb
            .describe_rules()
            .listener_arn(listener_arn)
            .set_marker(marker)
            .send()
            .await
            .aws_context("DescribeRules")?;
        rules.extend(out.rules().iter().cloned());
        marker = out.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(rules);
        }
    }
}

/// Host-header values of the rules that forward (a rule that redirects or answers itself does
/// not reach the app), in rule priority order.
fn rule_hosts(rules: &[Rule]) -> Vec<String> {
    let mut sorted: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.is_default() != Some(true))
        .collect();
    sorted.sort_by_key(|r| {
        r.priority()
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    });
    let mut hosts = Vec::new();
    for r in sorted {
        let forwards = r
            .actions()
            .iter()
            .any(|a| a.r#type() == Some(&ActionTypeEnum::Forward));
        if !forwards {
            continue;
        }
        for c in r.conditions() {
            if c.field() != Some("host-header") {
                continue;
            }
            let values = c
                .host_header_config()
                .map(|h| h.values().to_vec())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| c.values().to_vec());
            for v in values {
                let v = v.to_ascii_lowercase();
                if !hosts.contains(&v) {
                    hosts.push(v);
                }
            }
        }
    }
    hosts
}

async fn certificate_arns(elb: &Elb, listener_arn: &str) -> Result<Vec<String>> {
    let out = elb
        .describe_listener_certificates()
        .listener_arn(listener_arn)
        .send()
        .await
        .aws_context("DescribeListenerCertificates")?;
    let mut certs: Vec<_> = out.certificates().to_vec();
    // The default certificate first: it is the one a client without a matching SNI gets.
    certs.sort_by_key(|c| c.is_default() != Some(true));
    Ok(certs
        .into_iter()
        .filter_map(|c| c.certificate_arn().map(str::to_string))
        .collect())
}

/// The names on a certificate and who issued it.
async fn describe_certificate(
    acm: &Acm,
    arn: &str,
) -> Result<(Vec<String>, Option<CertificateFacts>)> {
    let out = acm
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .aws_context("DescribeCertificate")?;
    let Some(c) = out.certificate() else {
        return Ok((Vec::new(), None));
    };
    let facts = CertificateFacts {
        arn: arn.to_string(),
        kind: c
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        issuer: c.issuer().map(str::to_string),
        certificate_authority_arn: c.certificate_authority_arn().map(str::to_string),
    };
    let mut names: Vec<String> = c.domain_name().map(str::to_string).into_iter().collect();
    for n in c.subject_alternative_names() {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let names = names.into_iter().map(|n| n.to_ascii_lowercase()).collect();
    Ok((names, Some(facts)))
}
