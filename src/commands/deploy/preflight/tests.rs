//! Each rule against the account state that fails it, with the exact one-line error (one
//! file of fixtures and cases, read as a list: just over 400 lines).

use super::*;
use crate::aws::logs_policy::SHARED_POLICY_NAME;
use crate::aws::vpc_view::NatGatewayView;
use crate::endpoints::Endpoint;
use crate::network::load_balancers::{Listener, LoadBalancerView};
use crate::network::security_groups::{Rule, SecurityGroupView};
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
        ..Default::default()
    }
}

fn tcp_to_cidr(port: i32, cidr: &str) -> Rule {
    Rule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        cidrs: vec![cidr.into()],
        groups: vec![],
        ..Default::default()
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

/// Two private subnets with a public NAT in two AZs, a public one, the relay's group, an
/// internal ALB admitting the relay on 80.
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
            sg("sg-relay", vec![]),
            sg("sg-alb", vec![tcp_from(80, "sg-relay")]),
        ],
        nat_gateways: vec![NatGatewayView {
            id: "nat-1".into(),
            state: "available".into(),
            subnet_id: "subnet-pub".into(),
            connectivity: "public".into(),
        }],
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

fn facts() -> VpcFacts {
    VpcFacts {
        id: "vpc-1".into(),
        ipv4_cidrs: vec!["10.0.0.0/16".into(), "100.64.0.0/16".into()],
        ipv6_cidrs: vec!["2600:1f18::/56".into()],
        dns_support: true,
        dns_hostnames: true,
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
        delivery: Default::default(),
    }
}

const ALB: &str = "http://internal-app-1.us-east-1.elb.amazonaws.com/";

pub(super) struct Case {
    pub s: Settings,
    pub v: VpcView,
    f: VpcFacts,
    policies: Vec<String>,
    pub events: Option<EventsEndpoint>,
    target_groups: Vec<String>,
    skip: Vec<String>,
    zones: Vec<crate::aws::ec2::ServiceZones>,
    pub hosted_zones: Vec<crate::aws::route53::HostedZone>,
    pub concurrency: crate::aws::lambda::Concurrency,
}

pub(super) fn case() -> Case {
    Case {
        s: settings(ALB),
        v: view(),
        f: facts(),
        policies: vec!["someone-else".into()],
        events: None,
        target_groups: vec![],
        skip: vec![],
        zones: vec![],
        hosted_zones: vec![],
        concurrency: crate::aws::lambda::Concurrency {
            account_limit: 1000,
            unreserved: 1000,
            reserved_by_function: 0,
        },
    }
}

impl Case {
    pub(super) fn plan(&self) -> Result<NetworkPlan> {
        let url = check_url(&self.s.url).unwrap();
        decide(&Inputs {
            settings: &self.s,
            url: &url,
            view: &self.v,
            facts: &self.f,
            log_policies: &self.policies,
            leftover_log_groups: &[],
            target_groups: &self.target_groups,
            service_zones: &self.zones,
            hosted_zones: &self.hosted_zones,
            service_target: None,
            concurrency: &self.concurrency,
            skip_checks: &self.skip,
            stack: "relay",
            events: self.events,
        })
    }

    fn error(&self) -> String {
        self.plan().unwrap_err().message
    }
}

fn endpoint(id: &str, service: &str, groups: &[&str]) -> Endpoint {
    Endpoint {
        id: id.into(),
        vpc_id: "vpc-1".into(),
        service: format!("com.amazonaws.us-east-1.{service}"),
        interface: true,
        state: "available".into(),
        private_dns: true,
        subnets: vec!["subnet-a".into()],
        security_groups: groups.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn a_created_endpoint_gets_its_own_group_open_to_every_vpc_cidr() {
    let p = case().plan().unwrap();
    let EndpointPlan::Create(new) = &p.secrets.0 else {
        panic!("{p:?}")
    };
    assert_eq!(new.service_name, "com.amazonaws.us-east-1.secretsmanager");
    assert_eq!(new.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(new.group.name, "relay-secretsmanager-endpoint");
    assert_eq!(new.group.ipv4_cidrs, ["10.0.0.0/16", "100.64.0.0/16"]);
    assert_eq!(new.group.ipv6_cidrs, ["2600:1f18::/56"]);
    assert!(
        p.secrets.1.contains("serves the whole VPC"),
        "{}",
        p.secrets.1
    );
    assert!(p.events.is_none(), "a public NAT reaches EventBridge");
    assert_eq!(p.logs_policy, LogsPolicyPlan::Create);
}

#[test]
fn vpc_dns_attributes_must_both_be_on() {
    let mut c = case();
    c.f.dns_hostnames = false;
    assert_eq!(c.error(), "VPC vpc-1 has enableDnsHostnames off: the relay's private-DNS interface endpoints need enableDnsSupport and enableDnsHostnames");
    c.f.dns_support = false;
    assert!(c
        .error()
        .contains("has enableDnsSupport and enableDnsHostnames off"));
}

#[test]
fn the_logs_policy_quota_is_checked_and_evrelay_takes_one_slot() {
    let mut c = case();
    c.policies = (0..10).map(|i| format!("p{i}")).collect();
    assert_eq!(c.error(), "CloudWatch Logs in us-east-1 already holds 10 resource policies, the quota (which cannot be raised), and none is evrelay's `evrelay-events-logs`");
    c.policies[9] = SHARED_POLICY_NAME.into();
    assert_eq!(c.plan().unwrap().logs_policy, LogsPolicyPlan::Exists);
}

#[test]
fn a_private_nat_is_no_path_to_eventbridge() {
    let mut c = case();
    c.v.nat_gateways[0].connectivity = "private".into();
    let p = c.plan().unwrap();
    assert!(matches!(p.events, Some((EndpointPlan::Create(_), _))));
    c.events = Some(EventsEndpoint::Skip);
    let e = c.plan().unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.message.starts_with("--events-endpoint skip, but no path from subnet-a (private NAT gateway nat-1: no internet)"), "{}", e.message);
}

#[test]
fn a_transit_gateway_route_is_unverified_and_the_operator_chooses() {
    let mut c = case();
    c.v.route_tables[0].routes[0].target = "tgw-1".into();
    let e = c.plan().unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(e.message, "unverified: subnet-a routes 0.0.0.0/0 to tgw-1, a transit gateway; subnet-b routes 0.0.0.0/0 to tgw-1, a transit gateway; evrelay cannot tell whether that reaches EventBridge (deploy --events-endpoint create|skip) (the relay's response event)");
    c.events = Some(EventsEndpoint::Skip);
    assert!(c.plan().unwrap().events.is_none());
    c.events = Some(EventsEndpoint::Create);
    assert!(matches!(
        c.plan().unwrap().events,
        Some((EndpointPlan::Create(_), _))
    ));
}

#[test]
fn the_nat_path_needs_outbound_443_to_the_internet() {
    let mut c = case();
    c.v.security_groups[0].egress = vec![
        tcp_to_cidr(80, "10.0.0.0/16"),
        tcp_to_cidr(443, "10.0.0.0/16"),
    ];
    assert_eq!(c.error(), "the relay's security groups sg-relay allow no outbound TCP 443 to 0.0.0.0/0: its response event could not reach EventBridge through the NAT route (send --return-response would time out)");
    c.events = Some(EventsEndpoint::Create);
    assert!(
        c.plan().is_ok(),
        "an events endpoint inside the VPC needs no internet egress"
    );
}

#[test]
fn a_new_endpoint_needs_outbound_443_to_its_subnets() {
    let mut c = case();
    c.v.security_groups[0].egress = vec![tcp_to_cidr(80, "10.0.0.0/16")];
    assert_eq!(c.error(), "the relay's security groups sg-relay allow no outbound TCP 443 to 10.0.1.0/24, 10.0.2.0/24: it could not call the secretsmanager endpoint evrelay would create there");
}

#[test]
fn the_target_port_must_be_open_outbound() {
    let mut c = case();
    c.s.url = "http://10.0.9.9:8443/".into();
    c.v.security_groups[0].egress = vec![tcp_to_cidr(443, "0.0.0.0/0")];
    assert_eq!(c.error(), "the relay's security groups sg-relay allow no outbound TCP 8443 to 10.0.9.9: the relay could not reach 10.0.9.9");
    c.s.url = "https://orders.internal.example/".into();
    assert!(c.plan().is_ok(), "443 is open to somewhere");
    c.s.url = "http://orders.internal.example:9000/".into();
    assert_eq!(c.error(), "the relay's security groups sg-relay allow no outbound TCP 9000: the relay could not reach orders.internal.example");
}

#[test]
fn an_existing_endpoint_is_reused_only_if_it_admits_the_relay_on_443() {
    let mut c = case();
    c.v.security_groups
        .push(sg("sg-endpoint", vec![tcp_from(443, "sg-other")]));
    c.v.endpoints
        .push(endpoint("vpce-sm", "secretsmanager", &["sg-endpoint"]));
    let e = c.plan().unwrap_err();
    assert_eq!(e.message, "the secretsmanager endpoint vpce-sm does not admit TCP 443 from sg-relay (its groups: sg-endpoint)");
    assert_eq!(e.hint.as_deref(), Some("add an inbound rule for TCP 443 from sg-relay to sg-endpoint, and check sg-relay's outbound rules; or, if the path exists in a way evrelay cannot verify, pass --skip-check endpoint-reach"));
    c.v.security_groups
        .last_mut()
        .unwrap()
        .ingress
        .push(tcp_from(443, "sg-relay"));
    assert_eq!(
        c.plan().unwrap().secrets.0,
        EndpointPlan::Reuse("vpce-sm".into())
    );
}

#[test]
fn without_nat_an_events_endpoint_is_planned_and_an_existing_one_reused() {
    let mut c = case();
    c.v.route_tables[0].routes.clear();
    assert!(matches!(
        c.plan().unwrap().events,
        Some((EndpointPlan::Create(_), _))
    ));
    c.v.security_groups[0]
        .ingress
        .push(tcp_from(443, "sg-relay"));
    c.v.endpoints
        .push(endpoint("vpce-ev", "events", &["sg-relay"]));
    assert_eq!(
        c.plan().unwrap().events.unwrap().0,
        EndpointPlan::Reuse("vpce-ev".into())
    );
}

#[test]
fn the_alb_must_be_internal_listen_on_the_port_and_admit_the_relay() {
    let mut c = case();
    c.v.security_groups[1].ingress.clear();
    assert_eq!(
        c.error(),
        "the security groups do not let sg-relay reach load balancer `app` on port 80"
    );
    let mut c = case();
    c.s.url = "http://internal-app-1.us-east-1.elb.amazonaws.com:8080/".into();
    assert_eq!(
        c.error(),
        "load balancer `app` has no listener on port 8080 (it has HTTP:80)"
    );
    let mut c = case();
    c.v.load_balancers[0].scheme = "internet-facing".into();
    assert_eq!(
        c.error(),
        "--url points at `app`, an internet-facing load balancer"
    );
    let mut c = case();
    c.s.url = "https://orders.internal.example/".into();
    assert!(
        c.plan().is_ok(),
        "another host is not a load balancer evrelay knows"
    );
}

#[test]
fn public_subnets_and_a_single_zone_are_refused() {
    let mut c = case();
    c.s.subnets = vec!["subnet-a".into(), "subnet-pub".into()];
    assert_eq!(
        c.error(),
        "subnet `subnet-pub` is public: its route table sends 0.0.0.0/0 to igw-1"
    );
    let mut c = case();
    c.v.subnets[1].az = "us-east-1a".into();
    assert_eq!(
        c.error(),
        "the relay's subnets are all in us-east-1a: it needs two Availability Zones at least"
    );
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
    assert_eq!(
        rules::one_vpc(&s, &found("vpc-1"), &groups, "r").unwrap(),
        "vpc-1"
    );
    assert_eq!(
        rules::one_vpc(&s, &found("vpc-2"), &groups, "r").unwrap_err().message,
        "subnet `subnet-b` is in vpc-2, the other subnets in vpc-1: the relay's subnets share one VPC"
    );
    assert_eq!(
        rules::one_vpc(&s, &found("vpc-1")[..1], &groups, "r")
            .unwrap_err()
            .message,
        "subnet `subnet-b` not found in r"
    );
    let foreign = vec![("sg-relay".to_string(), "vpc-9".to_string())];
    assert_eq!(
        rules::one_vpc(&s, &found("vpc-1"), &foreign, "r")
            .unwrap_err()
            .message,
        "security group `sg-relay` belongs to vpc-9, not to the subnets' VPC vpc-1"
    );
}

#[path = "sg_tests.rs"]
mod sg;
