//! Security groups as real accounts write them (issue 21 item 5): egress to prefix lists
//! (customer- and AWS-managed), to other groups, and IPv6; `--skip-check` where a path cannot
//! be verified.

use super::*;

/// Egress only to prefix lists, as a locked-down account writes it: the fetcher has put each
/// list's entries into the rule, so it is judged by what it covers.
fn to_prefix_list(port: i32, list: &str, entries: &[&str]) -> Rule {
    Rule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        cidrs: entries
            .iter()
            .filter(|c| !c.contains(':'))
            .map(|c| c.to_string())
            .collect(),
        ipv6_cidrs: entries
            .iter()
            .filter(|c| c.contains(':'))
            .map(|c| c.to_string())
            .collect(),
        prefix_lists: vec![list.into()],
        ..Default::default()
    }
}

#[test]
fn egress_to_a_prefix_list_that_covers_the_vpc_is_a_path() {
    let mut c = case();
    c.v.security_groups[0].egress = vec![
        to_prefix_list(80, "pl-vpc", &["10.0.0.0/16"]),
        to_prefix_list(443, "pl-vpc", &["10.0.0.0/16"]),
        // An AWS-managed list (com.amazonaws.us-east-1.s3) covers S3's ranges, not the internet.
        to_prefix_list(443, "pl-63a5400a", &["52.216.0.0/15", "54.231.0.0/16"]),
    ];
    c.events = Some(EventsEndpoint::Create);
    let plan = c.plan().unwrap();
    assert!(matches!(plan.secrets.0, EndpointPlan::Create(_)));
    assert!(plan.skipped_checks.is_empty());
}

#[test]
fn a_prefix_list_that_could_not_be_read_is_named_and_can_be_skipped() {
    let mut c = case();
    c.v.security_groups[0].egress = vec![
        tcp_to_cidr(80, "10.0.0.0/16"),
        Rule {
            unread_prefix_lists: vec!["pl-gone".into()],
            ..to_prefix_list(443, "pl-gone", &[])
        },
    ];
    c.events = Some(EventsEndpoint::Create);
    let e = c.plan().unwrap_err();
    assert_eq!(
        e.message,
        "the relay's security groups sg-relay allow no outbound TCP 443 to 10.0.1.0/24, 10.0.2.0/24: it could not call the secretsmanager endpoint evrelay would create there (prefix list pl-gone could not be read, so its entries were not counted)"
    );
    assert!(e
        .hint
        .unwrap()
        .ends_with("pass --skip-check endpoint-reach"));

    c.skip = vec!["endpoint-reach".into()];
    let plan = c.plan().unwrap();
    assert_eq!(plan.skipped_checks.len(), 1);
    assert!(plan.skipped_checks[0].line().starts_with(
        "check `endpoint-reach` skipped (--skip-check endpoint-reach): the relay's security groups"
    ));
}

#[test]
fn egress_by_group_reference_reaches_the_members_of_that_group() {
    let mut c = case();
    c.s.url = "http://10.0.9.9:8080/".into();
    c.v.security_groups[0].egress = vec![tcp_to_cidr(443, "0.0.0.0/0"), tcp_from(8080, "sg-app")];
    assert!(c.error().contains("allow no outbound TCP 8080 to 10.0.9.9"));
    // The address belongs to an interface in sg-app: the reference admits it.
    c.target_groups = vec!["sg-app".into()];
    assert!(c.plan().is_ok());
}

#[test]
fn ipv6_targets_are_judged_by_ipv6_rules() {
    let mut c = case();
    c.s.url = "http://[2600:1f18:0:10::5]:8080/".into();
    c.v.security_groups[0].egress = vec![
        tcp_to_cidr(443, "0.0.0.0/0"),
        tcp_to_cidr(8080, "10.0.0.0/8"),
    ];
    assert!(c
        .error()
        .contains("allow no outbound TCP 8080 to 2600:1f18:0:10::5"));
    c.v.security_groups[0].egress.push(Rule {
        ipv6_cidrs: vec!["2600:1f18::/56".into()],
        ..tcp_to_cidr(8080, "192.0.2.0/24")
    });
    assert!(c.plan().is_ok());
}

#[test]
fn skip_check_names_from_the_file_are_checked_and_an_unneeded_skip_is_said() {
    let mut c = case();
    c.skip = vec!["sg".into()];
    let e = c.plan().unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.message.contains("no check named `sg`"), "{}", e.message);
    c.skip = vec!["target-egress".into()];
    let plan = c.plan().unwrap();
    assert!(plan.skipped_checks[0].line().contains("not needed"));
}

/// Issue 21 item 3: an endpoint service missing from one relay subnet's zone.
#[test]
fn a_new_endpoint_skips_a_zone_its_service_lacks_and_the_plan_says_so() {
    let mut c = case();
    c.v.subnets[1].az_id = "use1-az3".into();
    c.v.subnets[0].az_id = "use1-az6".into();
    c.zones = vec![crate::aws::ec2::ServiceZones {
        service: "com.amazonaws.us-east-1.secretsmanager".into(),
        names: vec!["us-east-1a".into(), "us-east-1b".into()],
        ids: vec!["use1-az6".into()],
    }];
    let plan = c.plan().unwrap();
    let EndpointPlan::Create(new) = &plan.secrets.0 else {
        panic!("{plan:?}")
    };
    assert_eq!(new.subnets, vec!["subnet-a".to_string()]);
    assert!(plan.secrets.1.ends_with(
        "secretsmanager is not offered in the zone of subnet-b in us-east-1b (use1-az3): the endpoint goes in the other zones, which the relay there reaches too"
    ), "{}", plan.secrets.1);
}
