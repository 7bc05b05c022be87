//! A pair's deploy after its first: a rerun completes a pair stopped after its relays, a bare
//! `evrelay deploy` redeploys all four stacks from the config file, and every call a pair's
//! deploy makes is in `evrelay policy deploy`.

use std::process::Stdio;

use crate::harness::Moto;
use crate::pair_deploy::{both_regions, stderr};
use crate::pair_fixtures::{
    deploy_pair_output, relay_deploy_args, secondary_args, seed_pair, PRIMARY, SECONDARY,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_completes_a_pair_stopped_after_its_relays_and_a_bare_deploy_redeploys_it() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    // Stopped once both relays are deployed, as the endpoint stack's change set is made.
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(secondary_args(&nets));
    args.extend([
        "--replication".into(),
        "off".into(),
        "--archive-retention".into(),
        "0".into(),
    ]);
    let mut child = moto
        .evrelay_std()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    let stderr_pipe = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr_pipe));
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Creating the change set for stack orders-endpoint") {
            let sent = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            break;
        }
    }
    for line in lines {
        seen.push_str(&line.unwrap());
        seen.push('\n');
    }
    assert_eq!(child.wait().unwrap().code(), Some(1), "{seen}");
    let after_stop = both_regions(&moto).await;
    assert!(
        after_stop.contains(&format!("{PRIMARY} stack orders CREATE_COMPLETE")),
        "{after_stop:?}"
    );
    assert!(
        after_stop.contains(&format!("{SECONDARY} stack orders CREATE_COMPLETE")),
        "{after_stop:?}"
    );
    assert!(
        !after_stop
            .iter()
            .any(|l| l.contains("orders-endpoint") || l.contains("change set")),
        "{after_stop:?}\n{seen}"
    );

    // The rerun names nothing but the stack: the config file has the pair, its settings included.
    let out = moto
        .evrelay()
        .args(["--stack", "orders", "deploy", "--yes"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("Stack orders-endpoint in us-east-1: CREATE_COMPLETE"),
        "{err}"
    );
    assert!(
        err.contains("Stack orders-archive in us-west-2: CREATE_COMPLETE"),
        "{err}"
    );
    let east = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let ep = east
        .describe_endpoint()
        .name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(ep.state().unwrap().as_str(), "ACTIVE");
    assert_eq!(
        ep.replication_config().unwrap().state().unwrap().as_str(),
        "DISABLED"
    );
    assert!(ep.role_arn().is_none());
    let west = aws_sdk_eventbridge::Client::new(&moto.sdk_in(SECONDARY).await);
    assert_eq!(
        west.list_archives().send().await.unwrap().archives()[0].retention_days(),
        Some(0)
    );

    // Again: all four stacks are redeployed; those with nothing to change say so.
    let out = moto
        .evrelay()
        .args(["--stack", "orders", "deploy", "--yes"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("Deploying stack orders in account 123456789012, us-west-2."),
        "{err}"
    );
    assert!(
        err.contains("Stack orders-endpoint in us-east-1 is up to date: nothing to change."),
        "{err}"
    );
    assert!(
        err.contains("Stack orders-archive in us-west-2 is up to date: nothing to change."),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_action_a_pair_s_deploy_calls_is_in_the_deploy_policy() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("actions.txt");
    let moto = Moto::start_recording(&record);
    let nets = seed_pair(&moto).await;
    let seeded = std::fs::read_to_string(&record)
        .unwrap_or_default()
        .lines()
        .count();
    let out = deploy_pair_output(&moto, &nets, "orders", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let called: std::collections::BTreeSet<String> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .skip(seeded)
        .map(str::to_string)
        .collect();
    assert!(called.contains("events:DescribeEndpoint"), "{called:?}");
    let out = moto
        .evrelay()
        .args(["--stack", "orders", "--output", "json", "policy", "deploy"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let allowed: std::collections::BTreeSet<String> = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = called.difference(&allowed).collect();
    assert!(
        missing.is_empty(),
        "not in `evrelay policy deploy`: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_deployed_alone_first_lends_the_pair_its_network() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    // The operator deployed the relay in the secondary Region on its own (its table is saved).
    let out = moto
        .evrelay()
        .args(relay_deploy_args(&nets.secondary, "orders", SECONDARY))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Then the pair, naming only the secondary's Region: its network is that deploy's (the
    // config file's [stacks.orders.us-west-2], as its stack's parameters).
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(["--secondary-region".to_string(), SECONDARY.to_string()]);
    let out = moto.evrelay().args(&args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("Stack orders-endpoint in us-east-1: CREATE_COMPLETE"),
        "{err}"
    );
    let west = aws_sdk_cloudformation::Client::new(&moto.sdk_in(SECONDARY).await);
    let stack = west
        .describe_stacks()
        .stack_name("orders")
        .send()
        .await
        .unwrap();
    let url = stack.stacks()[0]
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some("TargetUrl"))
        .and_then(|p| p.parameter_value())
        .map(str::to_string);
    assert_eq!(
        url,
        Some(format!("http://{}/", nets.secondary.internal_alb.dns_name))
    );
}
