//! Deploy's preflight: every check that can fail runs before anything is created, each failure
//! one line naming the value, with a hint. The VPC is read and classified by `crate::network`
//! (the same view `evrelay discover` shows); the decisions here are pure and unit-tested.

use aws_sdk_ec2::types::Filter;
use url::Url;

use super::params::{Picks, Settings};
use super::report::EndpointAction;
use crate::context::Context;
use crate::endpoints::{one_subnet_per_az, NewEndpoint, EVENTS, SECRETS_MANAGER};
use crate::error::{AwsResultExt, Error, Result};
use crate::network::endpoints::{eventbridge_reach, service_name, EndpointView};
use crate::network::security_groups::{can_reach, Peer, SecurityGroupView};
use crate::network::subnets::{classify_subnets, SubnetView};
use crate::network::VpcView;

/// What deploy will do about one VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointPlan {
    Reuse(String),
    Create(NewEndpoint),
}

/// The checked network: where the relay runs and which endpoints it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPlan {
    pub vpc_id: String,
    /// The plan and why.
    pub secrets: (EndpointPlan, String),
    /// None: the subnets reach EventBridge through NAT.
    pub events: Option<(EndpointPlan, String)>,
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
    };
    EndpointAction {
        service: service.into(),
        action: action.into(),
        id,
        why: why.clone(),
    }
}

/// discover's picks, for `--vpc-id` / `--cluster`.
pub async fn discover_picks(
    ctx: &Context,
    vpc: Option<&str>,
    cluster: Option<&str>,
) -> Result<Picks> {
    let found = crate::network::discover(ctx.ec2(), ctx.elb(), vpc, cluster).await?;
    Ok(Picks {
        subnets: found.picks.subnets.map(|p| p.ids).unwrap_or_default(),
        security_group: found.picks.security_group.map(|p| p.id),
        url: found.picks.load_balancer.map(|p| p.url),
    })
}

pub async fn run(ctx: &Context, settings: &Settings) -> Result<NetworkPlan> {
    let url = check_url(&settings.url)?;
    let vpc_id = locate(ctx, settings).await?;
    let view = crate::network::fetch_vpc_view(ctx.ec2(), ctx.elb(), &vpc_id).await?;
    decide(settings, &url, &vpc_id, &view, &ctx.names.stack)
}

/// The URL parses, with http or https and a host.
pub fn check_url(raw: &str) -> Result<Url> {
    let hint =
        "pass the endpoint's full URL, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/";
    let url = Url::parse(raw)
        .map_err(|e| Error::failed(format!("--url `{raw}` is not a URL: {e}")).hint(hint))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::failed(format!("--url `{raw}` is not http:// or https://")).hint(hint));
    }
    if url.host_str().map_or(true, str::is_empty) {
        return Err(Error::failed(format!("--url `{raw}` has no host")).hint(hint));
    }
    Ok(url)
}

/// The subnets and groups exist and all sit in one VPC: its id.
async fn locate(ctx: &Context, s: &Settings) -> Result<String> {
    let ec2 = ctx.ec2();
    let subnet_filter = Filter::builder()
        .name("subnet-id")
        .set_values(Some(s.subnets.clone()))
        .build();
    let group_filter = Filter::builder()
        .name("group-id")
        .set_values(Some(s.security_groups.clone()))
        .build();
    let (subnets, groups) = tokio::try_join!(
        async {
            ec2.describe_subnets()
                .filters(subnet_filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .aws_context("DescribeSubnets")
        },
        async {
            ec2.describe_security_groups()
                .filters(group_filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .aws_context("DescribeSecurityGroups")
        },
    )?;
    let subnets: Vec<(String, String)> = subnets
        .iter()
        .map(|x| {
            (
                x.subnet_id().unwrap_or_default().to_string(),
                x.vpc_id().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let groups: Vec<(String, String)> = groups
        .iter()
        .map(|g| {
            (
                g.group_id().unwrap_or_default().to_string(),
                g.vpc_id().unwrap_or_default().to_string(),
            )
        })
        .collect();
    one_vpc(s, &subnets, &groups, ctx.region())
}

/// Pure: every subnet and group found, all in one VPC.
fn one_vpc(
    s: &Settings,
    subnets: &[(String, String)],
    groups: &[(String, String)],
    region: &str,
) -> Result<String> {
    if let Some(missing) = s
        .subnets
        .iter()
        .find(|id| !subnets.iter().any(|(found, _)| found == *id))
    {
        return Err(
            Error::failed(format!("subnet `{missing}` not found in {region}")).hint(
                "check the id and --region; `evrelay discover` lists the VPC's private subnets",
            ),
        );
    }
    let vpc = subnets
        .first()
        .map(|(_, vpc)| vpc.clone())
        .unwrap_or_default();
    if let Some((id, other)) = subnets.iter().find(|(_, v)| *v != vpc) {
        return Err(Error::failed(format!("subnet `{id}` is in {other}, the other subnets in {vpc}: the relay's subnets share one VPC"))
            .hint("pass subnets of one VPC (the one with the endpoint the relay calls)"));
    }
    if let Some(missing) = s
        .security_groups
        .iter()
        .find(|id| !groups.iter().any(|(found, _)| found == *id))
    {
        return Err(
            Error::failed(format!("security group `{missing}` not found in {region}"))
                .hint("check the id and --region; `evrelay discover` suggests one"),
        );
    }
    if let Some((id, other)) = groups.iter().find(|(_, v)| *v != vpc) {
        return Err(Error::failed(format!(
            "security group `{id}` belongs to {other}, not to the subnets' VPC {vpc}"
        ))
        .hint(format!(
            "pass a security group of {vpc}; `evrelay discover --vpc-id {vpc}` suggests one"
        )));
    }
    Ok(vpc)
}

fn groups_of<'a>(view: &'a VpcView, ids: &[String]) -> Vec<&'a SecurityGroupView> {
    view.security_groups
        .iter()
        .filter(|g| ids.contains(&g.id))
        .collect()
}

/// Pure: subnets private and in two AZs, the ALB internal and reachable, the endpoints reused
/// or planned, EventBridge reachable.
pub fn decide(
    s: &Settings,
    url: &Url,
    vpc_id: &str,
    view: &VpcView,
    stack: &str,
) -> Result<NetworkPlan> {
    let classified = classify_subnets(&view.subnets, &view.route_tables);
    let relay_subnets: Vec<&SubnetView> = classified
        .iter()
        .filter(|v| s.subnets.contains(&v.id))
        .collect();
    if let Some(public) = relay_subnets.iter().find(|v| !v.private) {
        return Err(Error::failed(format!(
            "subnet `{}` is public: its route table sends 0.0.0.0/0 to {}",
            public.id,
            public.default_route.as_deref().unwrap_or("an internet gateway")
        ))
        .hint("a VPC Lambda never gets a public IP: use private subnets (`evrelay discover` lists them)"));
    }
    let mut azs: Vec<&str> = relay_subnets.iter().map(|v| v.az.as_str()).collect();
    azs.sort_unstable();
    azs.dedup();
    if azs.len() < 2 {
        return Err(Error::failed(format!(
            "the relay's subnets are all in {}: it needs two Availability Zones at least",
            azs.first().unwrap_or(&"one zone")
        ))
        .hint("add a private --subnet from another AZ (`evrelay discover` lists them)"));
    }
    let relay = Peer {
        groups: s.security_groups.clone(),
        cidrs: relay_subnets.iter().map(|v| v.cidr.clone()).collect(),
    };
    let relay_groups = groups_of(view, &s.security_groups);
    check_load_balancer(s, url, view, &relay, &relay_groups, &classified)?;

    let region = &view.region;
    let relay_subnets_by_az: Vec<(String, String)> = relay_subnets
        .iter()
        .map(|v| (v.id.clone(), v.az.clone()))
        .collect();
    let new_endpoint = |service: &str| NewEndpoint {
        vpc_id: vpc_id.to_string(),
        service_name: service_name(region, service),
        subnets: one_subnet_per_az(&relay_subnets_by_az),
        security_groups: s.security_groups.clone(),
        stack: stack.to_string(),
    };
    let for_service = |service: &str| -> Vec<EndpointView> {
        let name = service_name(region, service);
        let mut eps: Vec<EndpointView> = view
            .endpoints
            .iter()
            .filter(|e| e.service_name == name && e.usable())
            .cloned()
            .collect();
        eps.sort_by_key(|e| (e.state != "available", e.id.clone()));
        eps
    };
    let plan_endpoint = |service: &str,
                         existing: Option<&EndpointView>|
     -> Result<(EndpointPlan, String)> {
        match existing {
            Some(e) => {
                let to = Peer {
                    groups: e.security_groups.clone(),
                    cidrs: cidrs_of(&classified, &e.subnet_ids),
                };
                if !can_reach(
                    &relay,
                    &relay_groups,
                    &to,
                    &groups_of(view, &e.security_groups),
                    443,
                ) {
                    return Err(Error::failed(format!(
                        "the {service} endpoint {} does not admit TCP 443 from {} (its groups: {})",
                        e.id,
                        s.security_groups.join(", "),
                        e.security_groups.join(", ")
                    ))
                    .hint(format!(
                        "add an inbound rule for TCP 443 from {} to {}, and check {}'s outbound rules",
                        s.security_groups.join(", "),
                        e.security_groups.first().map(String::as_str).unwrap_or("the endpoint's group"),
                        s.security_groups.join(", ")
                    )));
                }
                Ok((
                    EndpointPlan::Reuse(e.id.clone()),
                    "existing interface endpoint with private DNS".into(),
                ))
            }
            None => {
                // The new endpoint takes the relay's own group, which must admit 443 from itself.
                if !can_reach(&relay, &relay_groups, &relay, &relay_groups, 443) {
                    let sg = s
                        .security_groups
                        .first()
                        .map(String::as_str)
                        .unwrap_or("the relay's group");
                    return Err(Error::failed(format!(
                        "the {service} endpoint evrelay would create takes the relay's group {sg}, which does not admit TCP 443 from itself"
                    ))
                    .hint(format!("add an inbound rule to {sg} for TCP 443 from {sg}, or create the endpoint yourself (evrelay reuses it)")));
                }
                Ok((
                    EndpointPlan::Create(new_endpoint(service)),
                    "none in the VPC: evrelay creates it, tagged as its own".into(),
                ))
            }
        }
    };

    let secrets_eps = for_service(SECRETS_MANAGER);
    let secrets = plan_endpoint(SECRETS_MANAGER, secrets_eps.first())?;
    let events_eps = for_service(EVENTS);
    let reach = eventbridge_reach(&relay_subnets, &events_eps);
    let events = match reach.via.as_deref() {
        Some("nat") => None,
        _ => Some(plan_endpoint(EVENTS, events_eps.first())?),
    };
    Ok(NetworkPlan {
        vpc_id: vpc_id.to_string(),
        secrets,
        events,
    })
}

fn cidrs_of(subnets: &[SubnetView], ids: &[String]) -> Vec<String> {
    subnets
        .iter()
        .filter(|v| ids.contains(&v.id))
        .map(|v| v.cidr.clone())
        .collect()
}

/// When the URL's host is a load balancer of the VPC: internal, with a listener on the URL's
/// port, and the groups let the relay reach it. Another host (a private DNS name, an IP) is
/// not checked.
fn check_load_balancer(
    s: &Settings,
    url: &Url,
    view: &VpcView,
    relay: &Peer,
    relay_groups: &[&SecurityGroupView],
    subnets: &[SubnetView],
) -> Result<()> {
    let host = url.host_str().unwrap_or_default();
    let Some(lb) = view
        .load_balancers
        .iter()
        .find(|lb| lb.dns_name.eq_ignore_ascii_case(host))
    else {
        return Ok(());
    };
    if lb.scheme != "internal" {
        return Err(Error::failed(format!("--url points at `{}`, an {} load balancer", lb.name, lb.scheme))
            .hint("the relay is for private endpoints; EventBridge API destinations reach public ones directly. Use an internal ALB's DNS name"));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    if lb.kind == "application"
        && !lb.listeners.is_empty()
        && !lb.listeners.iter().any(|l| l.port == port)
    {
        let listeners: Vec<String> = lb.listeners.iter().map(|l| l.to_string()).collect();
        return Err(Error::failed(format!(
            "load balancer `{}` has no listener on port {port} (it has {})",
            lb.name,
            listeners.join(", ")
        ))
        .hint("put the listener's port in --url, e.g. http://host:8080/"));
    }
    let to = Peer {
        groups: lb.security_groups.clone(),
        cidrs: cidrs_of(subnets, &lb.subnet_ids),
    };
    if !lb.security_groups.is_empty()
        && !can_reach(
            relay,
            relay_groups,
            &to,
            &groups_of(view, &lb.security_groups),
            port,
        )
    {
        return Err(Error::failed(format!(
            "the security groups do not let {} reach load balancer `{}` on port {port}",
            s.security_groups.join(", "),
            lb.name
        ))
        .hint(format!(
            "add an inbound rule to {} for TCP {port} from {} (the relay would time out otherwise)",
            lb.security_groups.join(", "),
            s.security_groups.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::load_balancers::{Listener, LoadBalancerView};
    use crate::network::security_groups::Rule;
    use crate::network::subnets::{Route, RouteTable, Subnet};

    fn subnet(id: &str, az: &str, cidr: &str) -> Subnet {
        Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            az: az.into(),
            cidr: cidr.into(),
            ..Default::default()
        }
    }

    fn table(id: &str, subnets: &[&str], target: &str) -> RouteTable {
        RouteTable {
            id: id.into(),
            main: false,
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
            routes: vec![Route {
                destination: "0.0.0.0/0".into(),
                target: target.into(),
                blackhole: false,
            }],
        }
    }

    fn tcp_from(port: i32, group: &str) -> Rule {
        Rule {
            protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            cidrs: vec![],
            groups: vec![group.into()],
        }
    }

    fn all_out() -> Rule {
        Rule {
            protocol: "-1".into(),
            cidrs: vec!["0.0.0.0/0".into()],
            ..Default::default()
        }
    }

    fn sg(id: &str, ingress: Vec<Rule>) -> SecurityGroupView {
        SecurityGroupView {
            id: id.into(),
            group_name: id.into(),
            ingress,
            egress: vec![all_out()],
            ..Default::default()
        }
    }

    /// Two private subnets with NAT in two AZs, a public one, the relay's group admitting 443
    /// from itself, an internal ALB admitting the relay on 80.
    fn view() -> VpcView {
        VpcView {
            region: "us-east-1".into(),
            subnets: vec![
                subnet("subnet-a", "us-east-1a", "10.0.1.0/24"),
                subnet("subnet-b", "us-east-1b", "10.0.2.0/24"),
                subnet("subnet-pub", "us-east-1a", "10.0.0.0/24"),
            ],
            route_tables: vec![
                table("rtb-priv", &["subnet-a", "subnet-b"], "nat-1"),
                table("rtb-pub", &["subnet-pub"], "igw-1"),
            ],
            security_groups: vec![
                sg("sg-relay", vec![tcp_from(443, "sg-relay")]),
                sg("sg-alb", vec![tcp_from(80, "sg-relay")]),
            ],
            load_balancers: vec![LoadBalancerView {
                name: "app".into(),
                dns_name: "internal-app-1.us-east-1.elb.amazonaws.com".into(),
                scheme: "internal".into(),
                kind: "application".into(),
                security_groups: vec!["sg-alb".into()],
                subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
                listeners: vec![Listener {
                    protocol: "HTTP".into(),
                    port: 80,
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn settings(url: &str) -> Settings {
        Settings {
            url: url.into(),
            subnets: vec!["subnet-a".into(), "subnet-b".into()],
            security_groups: vec!["sg-relay".into()],
            detail_type: "t".into(),
            auth_header: "api-key".into(),
            reserved_concurrency: 0,
            function_timeout: 30,
            read_timeout: 10,
            log_retention_days: 14,
        }
    }

    const ALB: &str = "http://internal-app-1.us-east-1.elb.amazonaws.com/";

    fn plan(s: &Settings, v: &VpcView) -> Result<NetworkPlan> {
        decide(s, &check_url(&s.url).unwrap(), "vpc-1", v, "relay")
    }

    #[test]
    fn nat_subnets_get_a_secrets_manager_endpoint_and_no_events_endpoint() {
        let p = plan(&settings(ALB), &view()).unwrap();
        let EndpointPlan::Create(new) = &p.secrets.0 else {
            panic!("{p:?}")
        };
        assert_eq!(new.service_name, "com.amazonaws.us-east-1.secretsmanager");
        assert_eq!(new.subnets, ["subnet-a", "subnet-b"]);
        assert_eq!(new.security_groups, ["sg-relay"]);
        assert!(p.events.is_none());
    }

    #[test]
    fn without_nat_an_events_endpoint_is_planned_and_an_existing_one_reused() {
        let mut v = view();
        v.route_tables[0].routes.clear();
        let p = plan(&settings(ALB), &v).unwrap();
        assert!(matches!(p.events, Some((EndpointPlan::Create(_), _))));
        v.endpoints.push(EndpointView {
            id: "vpce-ev".into(),
            service_name: "com.amazonaws.us-east-1.events".into(),
            state: "available".into(),
            private_dns: true,
            subnet_ids: vec!["subnet-a".into()],
            security_groups: vec!["sg-relay".into()],
        });
        assert_eq!(
            plan(&settings(ALB), &v).unwrap().events.unwrap().0,
            EndpointPlan::Reuse("vpce-ev".into())
        );
    }

    #[test]
    fn a_reused_endpoint_must_admit_443_from_the_relay() {
        let mut v = view();
        v.security_groups
            .push(sg("sg-endpoint", vec![tcp_from(443, "sg-other")]));
        v.endpoints.push(EndpointView {
            id: "vpce-sm".into(),
            service_name: "com.amazonaws.us-east-1.secretsmanager".into(),
            state: "available".into(),
            private_dns: true,
            subnet_ids: vec!["subnet-a".into()],
            security_groups: vec!["sg-endpoint".into()],
        });
        let e = plan(&settings(ALB), &v).unwrap_err();
        assert!(
            e.message.contains("vpce-sm") && e.message.contains("443"),
            "{}",
            e.message
        );
        v.security_groups
            .last_mut()
            .unwrap()
            .ingress
            .push(tcp_from(443, "sg-relay"));
        assert_eq!(
            plan(&settings(ALB), &v).unwrap().secrets.0,
            EndpointPlan::Reuse("vpce-sm".into())
        );
    }

    #[test]
    fn a_new_endpoint_needs_the_relay_group_to_admit_itself_on_443() {
        let mut v = view();
        v.security_groups[0].ingress.clear();
        let e = plan(&settings(ALB), &v).unwrap_err();
        assert!(
            e.message.contains("does not admit TCP 443 from itself"),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_alb_must_be_internal_listen_on_the_port_and_admit_the_relay() {
        let mut v = view();
        v.security_groups[1].ingress.clear();
        assert!(plan(&settings(ALB), &v)
            .unwrap_err()
            .message
            .contains("reach load balancer `app` on port 80"));
        let e = plan(
            &settings("http://internal-app-1.us-east-1.elb.amazonaws.com:8080/"),
            &view(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("no listener on port 8080"),
            "{}",
            e.message
        );
        let mut v = view();
        v.load_balancers[0].scheme = "internet-facing".into();
        assert!(plan(&settings(ALB), &v)
            .unwrap_err()
            .message
            .contains("internet-facing"));
        // Another host is not a load balancer evrelay knows: not checked.
        assert!(plan(&settings("https://orders.internal.example/"), &view()).is_ok());
    }

    #[test]
    fn public_subnets_and_a_single_zone_are_refused() {
        let mut s = settings(ALB);
        s.subnets = vec!["subnet-a".into(), "subnet-pub".into()];
        assert!(plan(&s, &view())
            .unwrap_err()
            .message
            .contains("subnet `subnet-pub` is public"));
        let mut v = view();
        v.subnets[1].az = "us-east-1a".into();
        assert!(plan(&settings(ALB), &v)
            .unwrap_err()
            .message
            .contains("all in us-east-1a"));
    }

    #[test]
    fn urls_need_http_or_https_and_a_host() {
        assert!(check_url("http://x/").is_ok());
        assert_eq!(check_url("ftp://x/").unwrap_err().exit_code(), 1);
        assert!(check_url("x:80/path").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn subnets_and_groups_must_exist_in_one_vpc() {
        let s = settings(ALB);
        let found = |vpc_b: &str| {
            vec![
                ("subnet-a".to_string(), "vpc-1".to_string()),
                ("subnet-b".to_string(), vpc_b.to_string()),
            ]
        };
        let groups = vec![("sg-relay".to_string(), "vpc-1".to_string())];
        assert_eq!(one_vpc(&s, &found("vpc-1"), &groups, "r").unwrap(), "vpc-1");
        assert!(one_vpc(&s, &found("vpc-2"), &groups, "r")
            .unwrap_err()
            .message
            .contains("share one VPC"));
        assert!(one_vpc(&s, &found("vpc-1")[..1], &groups, "r")
            .unwrap_err()
            .message
            .contains("`subnet-b` not found"));
        let foreign = vec![("sg-relay".to_string(), "vpc-9".to_string())];
        assert!(one_vpc(&s, &found("vpc-1"), &foreign, "r")
            .unwrap_err()
            .message
            .contains("belongs to vpc-9"));
    }
}
