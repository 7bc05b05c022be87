//! `evrelay destroy` of a relay pair: the endpoint stack, the archive stack, the secondary's
//! relay, then the primary's, under one question; a rerun finishes a pair destroyed half-way.

use aws_sdk_cloudformation::types::StackStatus;

use crate::harness::{stderr_of_exit, Moto};
use crate::pair_fixtures::{deploy_pair_by_hand, seed_pair, PRIMARY, SECONDARY};

/// The stacks of this pair still there, as `region/name`.
async fn stacks_left(moto: &Moto, stack: &str) -> Vec<String> {
    let mut left = Vec::new();
    for (region, names) in [
        (PRIMARY, [stack.to_string(), format!("{stack}-endpoint")]),
        (SECONDARY, [stack.to_string(), format!("{stack}-archive")]),
    ] {
        let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
        for name in names {
            if cfn.describe_stacks().stack_name(&name).send().await.is_ok() {
                left.push(format!("{region}/{name}"));
            }
        }
    }
    left
}

/// DeletionTime of each deleted stack of the pair (ListStacks), keyed `region/name`.
async fn deleted_at(moto: &Moto, region: &str, name: &str) -> i64 {
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
    let out = cfn
        .list_stacks()
        .stack_status_filter(StackStatus::DeleteComplete)
        .send()
        .await
        .unwrap();
    out.stack_summaries()
        .iter()
        .filter(|s| s.stack_name() == Some(name))
        .filter_map(|s| s.deletion_time())
        .map(|t| t.to_millis().unwrap())
        .max()
        .unwrap_or_else(|| panic!("{region}/{name} was not deleted"))
}

async fn put_on_secondary(moto: &Moto, stack: &str) {
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(SECONDARY).await);
    events
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("orders.test")
                .detail_type("order")
                .detail(r#"{"order": 9}"#)
                .event_bus_name(format!("{stack}-bus"))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pair_goes_endpoint_first_then_archive_then_both_relays() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "gone", true).await;
    put_on_secondary(&moto, "gone").await;

    let out = moto
        .evrelay()
        .args(["--stack", "gone", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    // The plan, in the order things go.
    let order = [
        "1. Stack gone-endpoint in us-east-1",
        "2. Stack gone-archive in us-west-2",
        "3. The relay in us-west-2:",
        "4. The relay in us-east-1:",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|l| {
            stderr
                .find(l)
                .unwrap_or_else(|| panic!("{l:?} in {stderr}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    assert!(
        stderr.contains("with 1 event"),
        "the archive's events: {stderr}"
    );
    // Both relays share their names: each line about one of them names its Region.
    for region in [SECONDARY, PRIMARY] {
        for line in [
            format!("Deleting stack gone in {region}: sending DeleteStack"),
            format!("Deleting the VPC endpoints evrelay created in {region}: vpce-"),
        ] {
            assert!(stderr.contains(&line), "{line:?} in {stderr}");
        }
    }
    assert!(stacks_left(&moto, "gone").await.is_empty());
    // And in that order in CloudFormation too.
    let times = [
        deleted_at(&moto, PRIMARY, "gone-endpoint").await,
        deleted_at(&moto, SECONDARY, "gone-archive").await,
        deleted_at(&moto, SECONDARY, "gone").await,
        deleted_at(&moto, PRIMARY, "gone").await,
    ];
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    assert!(events
        .describe_endpoint()
        .name("gone")
        .send()
        .await
        .is_err());
}

/// A run that stopped after the endpoint stack (here: the endpoint stack deleted by hand, as
/// such a run leaves the pair) is finished by the next: the secondary is found from the
/// deleted endpoint stack, and the rest goes in the same order.
#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_finishes_a_pair_destroyed_half_way() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "half", false).await;
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(PRIMARY).await);
    cfn.delete_stack()
        .stack_name("half-endpoint")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stacks_left(&moto, "half").await,
        ["us-east-1/half", "us-west-2/half", "us-west-2/half-archive"]
    );

    let out = moto
        .evrelay()
        .args(["--stack", "half", "--output", "json", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    assert!(
        stderr.contains("1. Stack half-endpoint in us-east-1: already deleted."),
        "{stderr}"
    );
    // NDJSON, as a single relay's destroy: the stacks' events, then the result.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(report["type"], "result");
    assert_eq!(report["secondary_region"], SECONDARY);
    assert_eq!(report["endpoint_stack"]["status"], "not found");
    assert_eq!(report["archive_stack"]["status"], "DELETE_COMPLETE");
    assert_eq!(report["secondary"]["stack_deleted"], true);
    assert_eq!(report["primary"]["stack_deleted"], true);
    assert!(stacks_left(&moto, "half").await.is_empty());

    // Once all is gone, a rerun is a single-Region one with nothing left (exit 0).
    let out = moto
        .evrelay()
        .args(["--stack", "half", "destroy", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("already deleted"));
}

/// `<stack>-endpoint` made by someone else is no pair: the relay goes as a single-Region one,
/// and that stack stays.
#[tokio::test(flavor = "multi_thread")]
async fn another_team_s_stack_named_like_an_endpoint_stack_is_left_alone() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let out = moto
        .evrelay()
        .args(crate::pair_fixtures::relay_deploy_args(
            &nets.primary,
            "solo",
            PRIMARY,
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(PRIMARY).await);
    let theirs = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "theirs"}}}}"#;
    cfn.create_stack()
        .stack_name("solo-endpoint")
        .template_body(theirs)
        .send()
        .await
        .unwrap();

    let out = moto
        .evrelay()
        .args(["--stack", "solo", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    assert!(
        stderr.contains("Stack solo-endpoint in us-east-1 is not one evrelay made"),
        "{stderr}"
    );
    assert!(cfn
        .describe_stacks()
        .stack_name("solo")
        .send()
        .await
        .is_err());
    assert!(cfn
        .describe_stacks()
        .stack_name("solo-endpoint")
        .send()
        .await
        .is_ok());
}

/// Ctrl-C while the archive stack is being deleted (the emulator's stack deletes take time): the
/// run stops with the endpoint stack gone and says a rerun finishes the pair, which it does.
#[tokio::test(flavor = "multi_thread")]
async fn a_pair_destroy_interrupted_after_the_endpoint_stack_is_finished_by_a_rerun() {
    let moto = Moto::start_with_env(&[("EVRELAY_EMULATOR_TIME_SCALE", "0.05")]);
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "cut", false).await;

    let child = moto
        .evrelay_std()
        .args(["--stack", "cut", "destroy", "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (out, stderr) = crate::safety_interrupt::interrupt_when(
        child,
        "Deleting stack cut-archive in us-west-2: sending DeleteStack",
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("destroy interrupted (Ctrl-C)"), "{stderr}");
    assert!(stderr.contains("again finishes the pair"), "{stderr}");
    let left = stacks_left(&moto, "cut").await;
    assert!(
        !left.contains(&"us-east-1/cut-endpoint".to_string()),
        "{left:?}"
    );
    assert!(left.contains(&"us-east-1/cut".to_string()), "{left:?}");

    let out = moto
        .evrelay()
        .args(["--stack", "cut", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    assert!(
        stderr.contains("1. Stack cut-endpoint in us-east-1: already deleted."),
        "{stderr}"
    );
    assert!(stacks_left(&moto, "cut").await.is_empty());
}

/// With `--yes`, failed events in the secondary's DLQ refuse the destroy (as for one relay);
/// both relays' DLQs share their name, so the refusal names the Region, and the command that
/// keeps them runs there.
#[tokio::test(flavor = "multi_thread")]
async fn failed_events_in_the_secondary_s_dlq_refuse_naming_its_region() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "held", false).await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_in(SECONDARY).await);
    let dlq = sqs
        .get_queue_url()
        .queue_name("held-dlq")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let record = crate::ops_fixtures::destination_record(None).to_string();
    crate::ops_fixtures::send_many(&sqs, &dlq, &[record]).await;

    let out = moto
        .evrelay()
        .args(["--stack", "held", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 1);
    assert!(
        stderr.contains(&format!(
            "refusing to destroy stack `held` in {SECONDARY}: held-dlq holds 1 failed event"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "`evrelay --region {SECONDARY} --stack held dlq drain"
        )),
        "{stderr}"
    );
    assert_eq!(stacks_left(&moto, "held").await.len(), 4, "nothing deleted");
}

/// Run in the pair's secondary Region, destroy does not take that relay alone: the endpoint
/// would fail over to a bus that is gone. Refused, nothing deleted, the primary's destroy named.
#[tokio::test(flavor = "multi_thread")]
async fn destroy_in_the_secondary_region_is_refused_and_names_the_pair_s_destroy() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "side", false).await;
    let out = moto
        .evrelay()
        .args(["--region", SECONDARY, "--stack", "side", "destroy", "--yes"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 1);
    assert!(
        stderr.contains(&format!(
            "stack `side` in {SECONDARY} is the secondary of relay pair `side`"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("--stack side destroy` destroys the pair in order"),
        "{stderr}"
    );
    assert_eq!(stacks_left(&moto, "side").await.len(), 4, "nothing deleted");
}
