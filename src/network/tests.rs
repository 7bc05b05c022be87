use super::*;
use load_balancers::Listener;
use security_groups::Rule;
use subnets::{Route, RouteTable, Subnet};

fn view() -> VpcView {
    let subnet = |id: &str, az: &str, cidr: &str| Subnet {
        id: id.into(),
        vpc_id: "vpc-1".into(),
        az: az.into(),
        az_id: String::new(),
        cidr: cidr.into(),
        tags: [(subnets::TAG_INTERNAL_ELB.to_string(), "1".to_string())].into(),
    };
    let default_to = |target: &str| {
        vec![Route {
            destination: "0.0.0.0/0".into(),
            target: target.into(),
            blackhole: false,
        }]
    };
    let all_out = vec![Rule {
        protocol: "-1".into(),
        cidrs: vec!["0.0.0.0/0".into()],
        ..Default::default()
    }];
    VpcView {
        region: "us-east-1".into(),
        subnets: vec![
            subnet("subnet-a", "az1", "10.0.1.0/24"),
            subnet("subnet-b", "az2", "10.0.2.0/24"),
            subnet("subnet-p", "az1", "10.0.0.0/24"),
        ],
        route_tables: vec![
            RouteTable {
                id: "rtb-pub".into(),
                main: true,
                subnet_ids: vec!["subnet-p".into()],
                routes: default_to("igw-1"),
            },
            RouteTable {
                id: "rtb-a".into(),
                main: false,
                subnet_ids: vec!["subnet-a".into()],
                routes: default_to("nat-1"),
            },
            RouteTable {
                id: "rtb-b".into(),
                main: false,
                subnet_ids: vec!["subnet-b".into()],
                routes: vec![],
            },
        ],
        security_groups: vec![
            SecurityGroupView {
                id: "sg-default".into(),
                group_name: "default".into(),
                egress: all_out.clone(),
                ..Default::default()
            },
            SecurityGroupView {
                id: "sg-alb".into(),
                group_name: "k8s-app".into(),
                ingress: vec![Rule {
                    protocol: "tcp".into(),
                    from_port: Some(80),
                    to_port: Some(80),
                    groups: vec!["sg-nodes".into()],
                    ..Default::default()
                }],
                egress: all_out.clone(),
                ..Default::default()
            },
            SecurityGroupView {
                id: "sg-nodes".into(),
                group_name: "nodes".into(),
                egress: all_out,
                ..Default::default()
            },
        ],
        nat_gateways: vec![],
        load_balancers: vec![
            LoadBalancerView {
                name: "app".into(),
                arn: "arn:app".into(),
                dns_name: "app.elb".into(),
                scheme: "internal".into(),
                kind: "application".into(),
                state: "active".into(),
                security_groups: vec!["sg-alb".into()],
                subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
                listeners: vec![Listener {
                    protocol: "HTTP".into(),
                    port: 80,
                }],
                ..Default::default()
            },
            LoadBalancerView {
                name: "public".into(),
                arn: "arn:public".into(),
                scheme: "internet-facing".into(),
                kind: "application".into(),
                ..Default::default()
            },
        ],
        endpoints: vec![Endpoint {
            id: "vpce-sm".into(),
            service: "com.amazonaws.us-east-1.secretsmanager".into(),
            interface: true,
            state: "available".into(),
            private_dns: true,
            ..Default::default()
        }],
        services: vec![],
    }
}

#[test]
fn decides_every_pick_with_reasons_and_warns_about_eventbridge() {
    let d = Discovery::decide(
        VpcInfo {
            id: "vpc-1".into(),
            ..Default::default()
        },
        view(),
    );
    let subnets = d.picks.subnets.as_ref().unwrap();
    assert_eq!(subnets.ids, ["subnet-a", "subnet-b"]);
    assert_eq!(d.picks.security_group.as_ref().unwrap().id, "sg-nodes");
    assert_eq!(
        d.picks.load_balancer.as_ref().unwrap().url,
        "http://app.elb/"
    );
    assert_eq!(d.relay_reaches_load_balancer, Some(true));
    assert_eq!(d.endpoints.secretsmanager.len(), 1);
    assert!(d.endpoints.events.is_empty());
    assert!(
        !d.eventbridge.reachable,
        "subnet-b has no NAT and there is no events endpoint"
    );
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("EventBridge") && w.contains("subnet-b")),
        "{:?}",
        d.warnings
    );
    let public = d
        .load_balancers
        .iter()
        .find(|lb| lb.name == "public")
        .unwrap();
    assert_eq!(
        public.note.as_deref(),
        Some("internet-facing: never picked")
    );
    let default = d
        .security_groups
        .iter()
        .find(|g| g.id == "sg-default")
        .unwrap();
    assert!(default.note.as_deref().unwrap().contains("never picked"));
}

#[test]
fn unreachable_alb_is_warned_about() {
    let mut v = view();
    v.security_groups[1].ingress.clear();
    let d = Discovery::decide(
        VpcInfo {
            id: "vpc-1".into(),
            ..Default::default()
        },
        v,
    );
    assert_eq!(
        d.picks.security_group.as_ref().unwrap().id,
        "sg-alb",
        "falls back to the ALB's own group"
    );
    assert_eq!(d.relay_reaches_load_balancer, Some(false));
    assert!(d.warnings.iter().any(|w| w.contains("would time out")));
}
