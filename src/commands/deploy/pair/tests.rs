//! The pair's flags and settings, decided before any AWS call.

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    args: DeployArgs,
}

fn args(argv: &[&str]) -> DeployArgs {
    Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
        .unwrap()
        .args
}

fn refused(argv: &[&str], primary: &str) -> Error {
    let e = check_usage(&args(argv), primary).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{}", e.message);
    assert!(!e.message.contains('\n'), "one line: {}", e.message);
    e
}

#[test]
fn a_pair_needs_two_regions_with_global_endpoints() {
    let same = refused(&["--secondary-region", "us-east-1"], "us-east-1");
    assert!(
        same.message.contains("is the primary Region"),
        "{}",
        same.message
    );
    let none = refused(&["--secondary-region", "af-south-1"], "us-east-1");
    assert!(
        none.message.contains(
            "--secondary-region af-south-1: EventBridge global endpoints are not available there"
        ),
        "{}",
        none.message
    );
    assert!(none.hint.unwrap().contains("us-west-2"));
    let primary = refused(&["--secondary-region", "us-west-2"], "me-south-1");
    assert!(
        primary.message.contains("primary Region me-south-1"),
        "{}",
        primary.message
    );
    assert!(check_usage(&args(&["--secondary-region", "us-west-2"]), "us-east-1").is_ok());
}

#[test]
fn the_pair_s_flags_need_a_secondary_region() {
    for flag in [
        ["--replication", "off"],
        ["--archive-retention", "3"],
        ["--secondary-vpc-id", "vpc-1"],
        ["--secondary-cluster", "c"],
        ["--secondary-url", "http://x/"],
    ] {
        let e = refused(&flag, "us-east-1");
        assert!(
            e.message
                .starts_with(&format!("{} configures a relay pair", flag[0])),
            "{}",
            e.message
        );
    }
    assert!(check_usage(&args(&[]), "us-east-1").is_ok());
}

#[test]
fn bad_pair_values_are_usage_errors() {
    for argv in [
        &["--secondary-region", "us-west-2", "--replication", "maybe"][..],
        &[
            "--secondary-region",
            "us-west-2",
            "--archive-retention",
            "-1",
        ],
        &[
            "--secondary-region",
            "us-west-2",
            "--archive-retention",
            "2147483648",
        ],
    ] {
        let e = Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 2, "{argv:?}");
    }
    let url = refused(
        &[
            "--secondary-region",
            "us-west-2",
            "--secondary-url",
            "ftp://x/",
        ],
        "us-east-1",
    );
    assert!(
        url.message.starts_with("--secondary-url `ftp://x/`"),
        "{}",
        url.message
    );
    let kept = refused(
        &["--secondary-region", "us-west-2", "--no-execute"],
        "us-east-1",
    );
    assert!(kept.hint.unwrap().contains("--dry-run"));
}

#[test]
fn replication_is_on_and_retention_seven_days_unless_told_or_deployed_otherwise() {
    let p = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    let fresh = PairSettings::resolve(&args(&["--secondary-region", "us-west-2"]).pair, &[], &[]);
    assert_eq!(
        fresh,
        PairSettings {
            secondary_region: "us-west-2".into(),
            replication: true,
            archive_retention: 7
        }
    );
    let deployed = PairSettings::resolve(
        &args(&["--secondary-region", "us-west-2"]).pair,
        &p("Replication", "DISABLED"),
        &p("RetentionDays", "0"),
    );
    assert_eq!(
        (deployed.replication, deployed.archive_retention),
        (false, 0)
    );
    assert_eq!(deployed.replication_state(), "DISABLED");
    let told = PairSettings::resolve(
        &args(&[
            "--secondary-region",
            "us-west-2",
            "--replication",
            "on",
            "--archive-retention",
            "30",
        ])
        .pair,
        &p("Replication", "DISABLED"),
        &p("RetentionDays", "0"),
    );
    assert_eq!((told.replication, told.archive_retention), (true, 30));
}

#[test]
fn the_secondary_takes_the_primary_s_relay_settings_and_its_own_network() {
    let primary = args(&[
        "--subnet",
        "subnet-p",
        "--security-group",
        "sg-p",
        "--url",
        "http://p/",
        "--read-timeout",
        "20",
        "--secondary-region",
        "us-west-2",
        "--secondary-vpc-id",
        "vpc-s",
    ]);
    let s = secondary_args(&primary, None);
    assert!(s.subnets.is_empty() && s.security_group.is_none() && s.url.is_none());
    assert_eq!(
        (s.vpc_id.as_deref(), s.read_timeout),
        (Some("vpc-s"), Some(20))
    );
    assert!(s.pair.secondary_region.is_none());
    let file = crate::config::Remembered {
        subnets: vec!["subnet-s".into()],
        security_groups: vec!["sg-s".into()],
        url: Some("http://s/".into()),
        read_timeout: Some(5),
        ..Default::default()
    };
    let from_file = secondary_args(
        &args(&["--read-timeout", "20", "--secondary-region", "us-west-2"]),
        Some(&file),
    );
    assert_eq!(from_file.subnets, ["subnet-s"]);
    assert_eq!(
        (
            from_file.security_group.as_deref(),
            from_file.url.as_deref(),
            from_file.read_timeout
        ),
        (Some("sg-s"), Some("http://s/"), Some(20))
    );
    let url = secondary_args(
        &args(&[
            "--secondary-region",
            "us-west-2",
            "--secondary-url",
            "http://flag/",
        ]),
        Some(&file),
    );
    assert_eq!(url.url.as_deref(), Some("http://flag/"));
}

#[test]
fn a_secondary_without_a_network_is_named_with_the_flags_that_give_one() {
    let e = secondary_missing(
        Error::usage("deploy needs --subnet (one per AZ, two AZs at least), --url"),
        "us-west-2",
        "orders",
    );
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message
            .starts_with("--secondary-region us-west-2: the relay there has no subnets, URL"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("--secondary-vpc-id"));
    let other = secondary_missing(Error::failed("boom"), "us-west-2", "orders");
    assert_eq!(other.message, "boom (in the secondary Region us-west-2)");
}

#[test]
fn a_secret_missing_in_the_secondary_says_to_replicate_it() {
    let e = secondary_missing(
        Error::usage("--secret-id orders-key: no such secret in Secrets Manager").hint("x"),
        "us-west-2",
        "orders",
    );
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message.ends_with("(in the secondary Region us-west-2)"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains(
        "replicate-secret-to-regions --secret-id orders-key --add-replica-regions Region=us-west-2"
    ));
}

#[test]
fn the_secondary_s_errors_name_its_region_and_its_flags() {
    let e = Error::failed("VPC `vpc-1` not found in us-west-2").hint(
        "check the id and --region; without --vpc-id, discover looks for the VPC that holds internal ALBs",
    );
    let e = said_of_the_secondary(e, "us-west-2");
    assert_eq!(e.message, "VPC `vpc-1` not found in us-west-2");
    assert_eq!(
        e.hint.as_deref(),
        Some("check the id and --secondary-region; without --secondary-vpc-id, discover looks for the VPC that holds internal ALBs")
    );
    let e = said_of_the_secondary(
        Error::usage("--url-file x and --secondary-url y, --cluster-name z --url"),
        "us-west-2",
    );
    assert_eq!(
        e.message,
        "--url-file x and --secondary-url y, --cluster-name z --secondary-url (in the secondary Region us-west-2)"
    );
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn the_secondary_s_network_errors_name_its_own_flags_and_run_discover_there() {
    let e = Error::usage("security group `sg-1` belongs to vpc-9, not to the subnets' VPC vpc-1")
        .hint("pass a security group of vpc-1 (or other --subnet ids); `evrelay discover --vpc-id vpc-1` suggests one");
    let e = said_of_the_secondary(e, "us-west-2");
    assert_eq!(
        e.message,
        "security group `sg-1` belongs to vpc-9, not to the subnets' VPC vpc-1 (in the secondary Region us-west-2)"
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("pass a security group of vpc-1 (or other --secondary-subnet ids); `evrelay --region us-west-2 discover --vpc-id vpc-1` suggests one")
    );
    let e = said_of_the_secondary(
        Error::usage("--security-group-x a --security-group b").hint("`evrelay --region x logs`"),
        "us-west-2",
    );
    assert!(e
        .message
        .starts_with("--security-group-x a --secondary-security-group b"));
    assert_eq!(e.hint.as_deref(), Some("`evrelay --region x logs`"));
}

#[test]
fn secondary_network_flags_without_a_pair_are_usage_errors() {
    let e = refused(&["--secondary-subnet", "subnet-1"], "us-east-1");
    assert!(e
        .message
        .starts_with("--secondary-subnet configures a relay pair"));
    let e = refused(&["--secondary-security-group", "sg-1"], "us-east-1");
    assert!(e
        .message
        .starts_with("--secondary-security-group configures"));
}

#[test]
fn the_secondary_s_own_subnets_and_group_take_the_primary_s_place() {
    let mut args = args(&[
        "--subnet",
        "subnet-p1",
        "--subnet",
        "subnet-p2",
        "--security-group",
        "sg-p",
        "--secondary-region",
        "us-west-2",
        "--secondary-subnet",
        "subnet-s1",
        "--secondary-subnet",
        "subnet-s2",
        "--secondary-security-group",
        "sg-s",
    ]);
    let file = crate::config::Remembered {
        subnets: vec!["subnet-f".into()],
        security_groups: vec!["sg-f".into()],
        ..Default::default()
    };
    let s = secondary_args(&args, Some(&file));
    assert_eq!(s.subnets, ["subnet-s1", "subnet-s2"]);
    assert_eq!(s.security_group.as_deref(), Some("sg-s"));
    // Without the flags the file's network is the secondary's, never the primary's.
    args.pair.secondary_subnets.clear();
    args.pair.secondary_security_group = None;
    let s = secondary_args(&args, Some(&file));
    assert_eq!(s.subnets, ["subnet-f"]);
    assert_eq!(s.security_group.as_deref(), Some("sg-f"));
    let s = secondary_args(&args, None);
    assert!(s.subnets.is_empty() && s.security_group.is_none());
}
