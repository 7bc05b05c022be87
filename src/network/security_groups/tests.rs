use super::*;

fn rule(protocol: &str, ports: Option<(i32, i32)>, cidrs: &[&str], groups: &[&str]) -> Rule {
    Rule {
        protocol: protocol.into(),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
        cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn peer(groups: &[&str], cidrs: &[&str]) -> Peer {
    Peer {
        groups: groups.iter().map(|s| s.to_string()).collect(),
        cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn group(id: &str, group_name: &str, name: Option<&str>, ingress: Vec<Rule>) -> SecurityGroupView {
    SecurityGroupView {
        id: id.into(),
        group_name: group_name.into(),
        name: name.map(str::to_string),
        description: String::new(),
        note: None,
        evrelay_managed: false,
        ingress,
        egress: vec![rule("-1", None, &["0.0.0.0/0"], &[])],
    }
}

#[test]
fn an_evrelay_endpoint_group_is_never_picked_even_when_the_alb_admits_it() {
    let alb_ingress = vec![
        rule("tcp", Some((80, 80)), &[], &["sg-ep"]),
        rule("tcp", Some((80, 80)), &[], &["sg-nodes"]),
    ];
    let mut ep = group("sg-ep", "apps-secretsmanager-endpoint", None, vec![]);
    ep.evrelay_managed = true;
    let groups = vec![
        ep,
        group("sg-alb", "k8s-alb", None, alb_ingress),
        group("sg-nodes", "nodes", None, vec![]),
    ];
    let alb_groups = vec!["sg-alb".to_string()];
    let alb = AlbPeer {
        name: "app",
        groups: &alb_groups,
        port: 80,
    };
    let pick = pick_security_group(&groups, Some(&alb)).unwrap();
    assert_eq!(pick.id, "sg-nodes");
}

#[test]
fn cidr_rules_must_contain_every_source_range() {
    let rules = [rule("tcp", Some((80, 80)), &["192.168.0.0/16"], &[])];
    assert!(sg_allows(
        &peer(&[], &["192.168.96.0/19", "192.168.128.0/19"]),
        &rules,
        80
    ));
    assert!(!sg_allows(
        &peer(&[], &["192.168.96.0/19", "10.0.0.0/24"]),
        &rules,
        80
    ));
    assert!(
        !sg_allows(&peer(&[], &["192.168.96.0/19"]), &rules, 443),
        "wrong port"
    );
    assert!(
        !sg_allows(&peer(&[], &[]), &rules, 80),
        "no ranges known: not provable"
    );
    assert!(sg_allows(
        &peer(&[], &["10.1.2.0/24"]),
        &[rule("tcp", Some((0, 65535)), &["0.0.0.0/0"], &[])],
        8080
    ));
}

#[test]
fn group_references_and_all_traffic() {
    let by_ref = [rule("tcp", Some((443, 443)), &[], &["sg-relay"])];
    assert!(sg_allows(&peer(&["sg-relay"], &[]), &by_ref, 443));
    assert!(!sg_allows(
        &peer(&["sg-other"], &["10.0.0.0/24"]),
        &by_ref,
        443
    ));
    let all = [rule("-1", Some((-1, -1)), &[], &["sg-relay"])];
    assert!(sg_allows(&peer(&["sg-relay"], &[]), &all, 5432));
    let all_no_ports = [rule("-1", None, &["10.0.0.0/8"], &[])];
    assert!(sg_allows(&peer(&[], &["10.0.0.0/24"]), &all_no_ports, 80));
    assert!(!sg_allows(
        &peer(&["sg-relay"], &[]),
        &[rule("udp", Some((80, 80)), &[], &["sg-relay"])],
        80
    ));
    assert!(sg_allows(
        &peer(&["sg-relay"], &[]),
        &[rule("6", Some((1, 1024)), &[], &["sg-relay"])],
        443
    ));
}

#[test]
fn can_reach_checks_egress_and_ingress() {
    let relay = group("sg-relay", "relay", None, vec![]);
    let alb = group(
        "sg-alb",
        "alb",
        None,
        vec![rule("tcp", Some((80, 80)), &[], &["sg-relay"])],
    );
    let from = peer(&["sg-relay"], &["10.0.1.0/24"]);
    let to = peer(&["sg-alb"], &["10.0.2.0/24"]);
    assert!(can_reach(&from, &[&relay], &to, &[&alb], 80));
    assert!(!can_reach(&from, &[&relay], &to, &[&alb], 443));
    let mut locked = relay.clone();
    locked.egress = vec![rule("tcp", Some((443, 443)), &["0.0.0.0/0"], &[])];
    assert!(
        !can_reach(&from, &[&locked], &to, &[&alb], 80),
        "egress only on 443"
    );
}

#[test]
fn cidr_parsing() {
    assert_eq!(cidr_contains("0.0.0.0/0", "10.0.0.0/8"), Some(true));
    assert_eq!(cidr_contains("10.0.0.0/8", "0.0.0.0/0"), Some(false));
    assert_eq!(cidr_contains("10.0.0.0/8", "11.0.0.0/24"), Some(false));
    assert_eq!(
        cidr_contains("10.0.0.5/8", "10.9.0.0/16"),
        Some(true),
        "host bits ignored"
    );
    assert_eq!(cidr_contains("::/0", "10.0.0.0/8"), None);
    assert_eq!(parse_cidr("10.0.0.0/33"), None);
}

#[test]
fn eksctl_shared_node_group_comes_first() {
    let groups = [
        group("sg-default", "default", None, vec![]),
        group(
            "sg-cp",
            "eksctl-events-cluster-ControlPlane",
            Some("eksctl-events-cluster/ControlPlaneSecurityGroup"),
            vec![],
        ),
        group(
            "sg-nodes",
            "eksctl-events-cluster-Shared",
            Some("eksctl-events-cluster/ClusterSharedNodeSecurityGroup"),
            vec![],
        ),
    ];
    let pick = pick_security_group(&groups, None).unwrap();
    assert_eq!(pick.id, "sg-nodes");
    assert!(pick.reason.contains("eksctl"));
}

#[test]
fn without_eksctl_the_group_the_alb_admits_then_the_albs_own_never_default() {
    let alb_groups = vec!["sg-alb".to_string()];
    let alb = AlbPeer {
        name: "app",
        groups: &alb_groups,
        port: 80,
    };
    let targets = [
        group("sg-default", "default", None, vec![]),
        group(
            "sg-alb",
            "k8s-app",
            None,
            vec![rule(
                "tcp",
                Some((80, 80)),
                &["0.0.0.0/0"],
                &["sg-default", "sg-nodes"],
            )],
        ),
        group("sg-nodes", "nodes", None, vec![]),
    ];
    let pick = pick_security_group(&targets, Some(&alb)).unwrap();
    assert_eq!(pick.id, "sg-nodes");
    assert!(pick.reason.contains("admits this group"));

    let own = [
        group("sg-default", "default", None, vec![]),
        group("sg-alb", "k8s-app", None, vec![]),
    ];
    let pick = pick_security_group(&own, Some(&alb)).unwrap();
    assert_eq!(pick.id, "sg-alb");
    assert!(pick.reason.contains("own group"));

    let only_default = [group("sg-default", "default", None, vec![])];
    assert!(pick_security_group(&only_default, Some(&alb)).is_none());
    assert!(pick_security_group(&only_default, None).is_none());
}
