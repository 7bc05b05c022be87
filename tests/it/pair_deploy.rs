//! `deploy --secondary-region`: a relay pair behind an EventBridge global endpoint, made by
//! the CLI in one run, read back from AWS in both Regions; the bad input refused with nothing
//! made in either Region; an interruption before execution undone in both; a pair stopped
//! after its relays completed by a rerun that reads the config file.

use std::process::Stdio;

use crate::harness::Moto;
use crate::hold_proxy::{interrupt_while_held, HoldProxy};
use crate::pair_fixtures::{
    deploy_pair_output, relay_deploy_args, secondary_args, seed_pair, PRIMARY, SECONDARY,
};

/// What exists in a Region that a deploy could have made: stacks (and their change sets), VPC
/// endpoints, global endpoints and archives.
pub async fn region_state(moto: &Moto, region: &str) -> Vec<String> {
    let sdk = moto.sdk_in(region).await;
    let cfn = aws_sdk_cloudformation::Client::new(&sdk);
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let mut lines = Vec::new();
    for s in cfn.list_stacks().send().await.unwrap().stack_summaries() {
        let status = s.stack_status().map(|st| st.as_str()).unwrap_or_default();
        // A stack made and deleted again stays in ListStacks' history only.
        if status == "DELETE_COMPLETE" {
            continue;
        }
        let id = s.stack_id().unwrap_or_default();
        lines.push(format!(
            "{region} stack {} {status}",
            s.stack_name().unwrap_or_default()
        ));
        let sets = cfn.list_change_sets().stack_name(id).send().await.unwrap();
        // An executed change set stays listed on its stack: only pending ones are debris.
        let pending = sets
            .summaries()
            .iter()
            .filter(|c| c.execution_status().map(|s| s.as_str()) != Some("EXECUTE_COMPLETE"));
        for c in pending {
            lines.push(format!(
                "{region} change set {}",
                c.change_set_name().unwrap_or_default()
            ));
        }
    }
    for e in ec2
        .describe_vpc_endpoints()
        .send()
        .await
        .unwrap()
        .vpc_endpoints()
    {
        if e.state().map(|s| s.as_str()) != Some("deleted") {
            lines.push(format!(
                "{region} vpc endpoint {}",
                e.vpc_endpoint_id().unwrap_or_default()
            ));
        }
    }
    for e in events.list_endpoints().send().await.unwrap().endpoints() {
        lines.push(format!(
            "{region} global endpoint {}",
            e.name().unwrap_or_default()
        ));
    }
    for a in events.list_archives().send().await.unwrap().archives() {
        lines.push(format!(
            "{region} archive {}",
            a.archive_name().unwrap_or_default()
        ));
    }
    lines
}

pub async fn both_regions(moto: &Moto) -> Vec<String> {
    let mut all = region_state(moto, PRIMARY).await;
    all.extend(region_state(moto, SECONDARY).await);
    all
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pair_is_deployed_in_both_regions_behind_one_active_endpoint() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let out = deploy_pair_output(&moto, &nets, "orders", &["--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    // One question's worth of plan: a change set per Region, then the two small stacks.
    for line in [
        "Deploying stack orders in account 123456789012, us-east-1.",
        "Deploying stack orders in account 123456789012, us-west-2.",
        "Stack orders-endpoint in us-east-1: CREATE_COMPLETE",
        "Stack orders-archive in us-west-2: CREATE_COMPLETE",
    ] {
        assert!(err.contains(line), "{line:?} in\n{err}");
    }
    // Both relays share their names: each line about one of them names its Region.
    for region in [PRIMARY, SECONDARY] {
        for line in [
            format!("Creating the change set for stack orders in {region}"),
            format!("Creating the VPC endpoint for events in {region}"),
            format!("Checking the region's Logs resource policy ({region})"),
            format!("on stack orders in {region}"),
            format!("Stack orders in {region}: CREATE_COMPLETE"),
        ] {
            assert!(err.contains(&line), "{line:?} in\n{err}");
        }
    }

    // The result: the primary's, with the secondary's and the endpoint's inside.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["type"].as_str())
        .filter(|t| *t != "event")
        .collect();
    assert_eq!(kinds, ["changeset", "changeset", "pair_plan", "result"]);
    let result = lines.last().unwrap();
    assert_eq!(
        (result["type"].as_str(), result["region"].as_str()),
        (Some("result"), Some(PRIMARY))
    );
    assert_eq!(result["secondary"]["region"], SECONDARY);
    let endpoint = &result["global_endpoint"];
    assert_eq!(
        (endpoint["name"].as_str(), endpoint["state"].as_str()),
        (Some("orders"), Some("ACTIVE"))
    );
    assert_eq!(endpoint["replication"], true);
    assert!(
        endpoint["id"].as_str().unwrap().ends_with(".veo"),
        "{endpoint}"
    );
    assert_eq!(endpoint["archive"]["retention_days"], 7);

    // Read back from AWS: both relays, the endpoint over both buses with its role, the alarm
    // behind the health check, the archive and its retention.
    for region in [PRIMARY, SECONDARY] {
        let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
        let s = cfn
            .describe_stacks()
            .stack_name("orders")
            .send()
            .await
            .unwrap();
        assert_eq!(
            s.stacks()[0].stack_status().unwrap().as_str(),
            "CREATE_COMPLETE",
            "{region}"
        );
    }
    let east = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let ep = east
        .describe_endpoint()
        .name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(ep.state().unwrap().as_str(), "ACTIVE");
    assert_eq!(ep.endpoint_id(), endpoint["id"].as_str());
    let buses: Vec<&str> = ep.event_buses().iter().map(|b| b.event_bus_arn()).collect();
    assert_eq!(
        buses,
        [
            "arn:aws:events:us-east-1:123456789012:event-bus/orders-bus",
            "arn:aws:events:us-west-2:123456789012:event-bus/orders-bus"
        ]
    );
    assert_eq!(
        ep.replication_config().unwrap().state().unwrap().as_str(),
        "ENABLED"
    );
    assert!(
        ep.role_arn().unwrap().ends_with(":role/orders-replication"),
        "{ep:?}"
    );
    let failover = ep.routing_config().unwrap().failover_config().unwrap();
    assert_eq!(failover.secondary().unwrap().route(), SECONDARY);
    let check_id = failover
        .primary()
        .unwrap()
        .health_check()
        .rsplit('/')
        .next()
        .unwrap();
    let route53 = aws_sdk_route53::Client::new(&moto.sdk_in(PRIMARY).await);
    let check = route53
        .get_health_check()
        .health_check_id(check_id)
        .send()
        .await
        .unwrap();
    let alarm = check
        .health_check()
        .unwrap()
        .health_check_config()
        .unwrap()
        .alarm_identifier()
        .unwrap();
    assert_eq!(
        (alarm.name(), alarm.region().as_str()),
        ("orders-primary-latency", PRIMARY)
    );
    let west = aws_sdk_eventbridge::Client::new(&moto.sdk_in(SECONDARY).await);
    let archives = west.list_archives().send().await.unwrap();
    assert_eq!(archives.archives().len(), 1);
    let archive = &archives.archives()[0];
    assert_eq!(archive.retention_days(), Some(7));
    assert_eq!(
        archive.event_source_arn(),
        Some("arn:aws:events:us-west-2:123456789012:event-bus/orders-bus")
    );
    // The archive's name: its stack resource's physical id (CloudFormation names it).
    assert_eq!(endpoint["archive"]["name"].as_str(), archive.archive_name());

    // The config file: the primary's table names the pair, the secondary's holds its network.
    let config = std::fs::read_to_string(moto.config_file()).unwrap();
    let parsed: toml_edit::DocumentMut = config.parse().unwrap();
    let east = &parsed["stacks"]["orders"][PRIMARY];
    assert_eq!(
        east["secondary_region"].as_str(),
        Some(SECONDARY),
        "{config}"
    );
    assert_eq!(east["replication"].as_str(), Some("on"), "{config}");
    assert_eq!(east["archive_retention"].as_integer(), Some(7), "{config}");
    let west = &parsed["stacks"]["orders"][SECONDARY];
    assert_eq!(
        west["subnets"].as_array().map(|a| a.len()),
        Some(2),
        "{config}"
    );
    assert_eq!(
        west["url"].as_str(),
        Some(format!("http://{}/", nets.secondary.internal_alb.dns_name).as_str())
    );
    assert!(west.get("secondary_region").is_none(), "{config}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_pair_input_is_refused_with_nothing_made_in_either_region() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let before = both_regions(&moto).await;
    let primary = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    let with = |extra: &[&str]| {
        let mut a = primary.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let vpc = nets.secondary.vpc_id.clone();
    for (args, says) in [
        (
            with(&["--secondary-region", PRIMARY]),
            "--secondary-region us-east-1 is the primary Region",
        ),
        (
            with(&["--secondary-region", "af-south-1"]),
            "--secondary-region af-south-1: EventBridge global endpoints are not available there",
        ),
        (
            with(&["--replication", "off"]),
            "--replication configures a relay pair",
        ),
        (
            with(&["--archive-retention", "3"]),
            "--archive-retention configures a relay pair",
        ),
        (
            with(&[
                "--secondary-region",
                SECONDARY,
                "--secondary-vpc-id",
                &vpc,
                "--archive-retention=-1",
            ]),
            "--archive-retention",
        ),
        (
            with(&[
                "--secondary-region",
                SECONDARY,
                "--secondary-vpc-id",
                &vpc,
                "--replication",
                "maybe",
            ]),
            "--replication",
        ),
        (
            with(&["--secondary-region", SECONDARY]),
            "--secondary-region us-west-2: the relay there has no",
        ),
    ] {
        let out = moto.evrelay().args(&args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{says:?} in\n{err}");
        assert_eq!(
            both_regions(&moto).await,
            before,
            "{args:?} made something: {err}"
        );
    }
    let mut primary_only = relay_deploy_args(&nets.primary, "orders", "af-south-1");
    primary_only.extend(secondary_args(&nets));
    let out = moto.evrelay().args(&primary_only).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the primary Region af-south-1 has no EventBridge global endpoints")
    );

    // A dry run shows both Regions' plans and the two small stacks, and makes nothing.
    let out = deploy_pair_output(&moto, &nets, "orders", &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Would change stack orders (create) in account 123456789012, us-east-1:",
        "Would change stack orders (create) in account 123456789012, us-west-2:",
        "Would then create stack orders-endpoint in us-east-1: global endpoint orders over orders-bus in us-east-1 and us-west-2",
        "Would then create stack orders-archive in us-west-2: archive of orders-bus there, keeping events 7 days.",
    ] {
        assert!(plan.contains(line), "{line:?} in\n{plan}");
    }
    assert_eq!(both_regions(&moto).await, before);
    assert!(!moto.config_file().exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_the_secondary_s_change_set_is_made_leaves_nothing_in_either_region() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let before = both_regions(&moto).await;
    let proxy = HoldProxy::start_in(&moto.endpoint, Some("CreateChangeSet"), Some(SECONDARY));
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(secondary_args(&nets));
    let child = moto
        .evrelay_std()
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, err) = interrupt_while_held(child, &proxy, "was already sent: waiting up to");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("deploy interrupted (Ctrl-C) before the change set was executed"),
        "{err}"
    );
    // The primary's change set (and its empty stack) and the secondary's, each named with its Region.
    assert!(err.contains(" in us-east-1"), "{err}");
    assert!(err.contains(" in us-west-2"), "{err}");
    assert!(!err.contains("could not remove"), "{err}");
    assert_eq!(both_regions(&moto).await, before, "{err}");
    assert!(!moto.config_file().exists());
}
