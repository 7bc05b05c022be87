//! The edges of destroy, status and the remembered stack, as an operator meets them: a bare
//! command after `--stack orders deploy` acts on `orders`; a mistyped stack is pointed at the
//! right one by every command; destroy never deletes failed events unsaid, refuses a stack
//! that never existed, says when one was already deleted; status shows what a gone stack left;
//! Ctrl-C after DeleteStack says the delete goes on in AWS.

use std::process::Output;
use std::time::Duration;

use crate::harness::{stdout_json, Moto};
use crate::safety_interrupt::{signal_once, spawn, SlowProxy};
use crate::stack::net::{seed, Net};

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(moto: &Moto, args: &[&str]) -> Output {
    moto.evrelay().args(args).output().unwrap()
}

async fn deploy(moto: &Moto, net: &Net, stack: &str) {
    crate::stack::net::deploy_ok(moto, net, stack);
}

fn managed_endpoints(eps: &[aws_sdk_ec2::types::VpcEndpoint], stack: &str) -> Vec<String> {
    let tagged = |e: &aws_sdk_ec2::types::VpcEndpoint, k: &str, v: &str| {
        e.tags()
            .iter()
            .any(|t| t.key() == Some(k) && t.value() == Some(v))
    };
    eps.iter()
        .filter(|e| tagged(e, "evrelay:stack", stack) && tagged(e, "evrelay:managed", "true"))
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect()
}

async fn dlq_depth(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    let url = sqs.get_queue_url().queue_name(name).send().await.unwrap();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url.queue_url().unwrap())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    attrs.attributes().unwrap().values().next().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bare_command_after_a_named_deploy_acts_on_it_and_a_typo_is_pointed_at_it() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "orders").await;
    let file = std::fs::read_to_string(moto.config_file()).unwrap();
    assert!(file.contains("stack = \"orders\""), "{file}");

    // No --stack: the remembered one, not the built-in event-relay-app.
    let out = run(&moto, &["--output", "json", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(stdout_json(&out)["stack"], "orders");
    // An empty window says so instead of printing nothing.
    let out = run(&moto, &["logs", "--since", "1m"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no log events between "),
        "{}",
        text(&out)
    );

    // A typo, in every command: exit 1, pointed at the stack the region knows.
    for args in [
        vec!["status"],
        vec!["logs"],
        vec!["send"],
        vec!["dlq", "peek"],
        vec!["destroy", "--yes"],
    ] {
        let out = moto
            .evrelay()
            .args(["--stack", "ordres"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("did you mean --stack orders?"),
            "{args:?}: {}",
            text(&out)
        );
    }
    // The never-existing stack's destroy is one error line and one hint line, nothing deleted.
    let out = run(&moto, &["--stack", "ordres", "destroy", "--yes"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("stack `ordres` not found"), "{err}");
    assert!(net.stack_exists("orders").await);
    // A teardown script that does not care.
    let out = run(
        &moto,
        &["--stack", "ordres", "destroy", "--yes", "--ignore-missing"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to delete there"));
}

#[tokio::test(flavor = "multi_thread")]
async fn destroy_keeps_failed_events_unless_told_and_a_rerun_says_when_it_was_deleted() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "dq").await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk().await);
    let url = sqs
        .get_queue_url()
        .queue_name("dq-dlq")
        .send()
        .await
        .unwrap();
    for body in ["{\"failed\": 1}", "{\"failed\": 2}"] {
        sqs.send_message()
            .queue_url(url.queue_url().unwrap())
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    // Without --yes and without a terminal: refused before any AWS call, exit 2, short.
    let out = run(&moto, &["destroy"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).lines().count() <= 3);
    assert!(net.stack_exists("dq").await);

    // --yes alone: the 2 failed events stop it, with the command that keeps them.
    let out = run(&moto, &["destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dq-dlq holds 2 failed events"), "{err}");
    assert!(
        err.contains("evrelay --stack dq dlq drain --out FILE"),
        "{err}"
    );
    assert!(net.stack_exists("dq").await);
    assert_eq!(dlq_depth(&sqs, "dq-dlq").await, "2", "every message kept");

    // Told they may go: the plan names them, the result counts them.
    let out = run(&moto, &["destroy", "--yes", "--delete-failed-events"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("queues: dq-dlq (2 messages)"), "{err}");
    assert!(err.contains("dq-dlq holds 2 failed events"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Deleted 2 failed events with the DLQ."));
    assert!(!net.stack_exists("dq").await);

    // A rerun is idempotent and says when the stack went.
    let out = run(&moto, &["destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("was already deleted at 20"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "said once: {}", text(&out));
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_what_a_gone_stack_left_and_destroy_removes_it() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "ghost").await;
    let endpoint = managed_endpoints(&net.live_endpoints().await, "ghost");
    assert_eq!(endpoint.len(), 1);
    // Deleted behind evrelay's back: the endpoint and its group stay.
    net.cfn
        .delete_stack()
        .stack_name("ghost")
        .send()
        .await
        .unwrap();

    let out = run(&moto, &["--stack", "ghost", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&endpoint[0]), "{stdout}");
    assert!(stdout.to_lowercase().contains("security group"), "{stdout}");
    assert!(
        stdout.contains("Remove them with `evrelay destroy --stack ghost`"),
        "{stdout}"
    );
    let out = run(&moto, &["--stack", "ghost", "--output", "json", "status"]);
    let doc = stdout_json(&out);
    assert_eq!(doc["status"], "not found");
    assert_eq!(doc["leftovers"]["endpoints"][0]["id"], endpoint[0].as_str());
    let groups = doc["leftovers"]["security_groups"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!groups.is_empty(), "{doc}");
    assert_eq!(doc["remove_with"], "evrelay destroy --stack ghost");

    // A first deploy stopped before its change set ran leaves a stack under review.
    net.cfn
        .create_change_set()
        .stack_name("ghost")
        .change_set_name("evrelay-1764870000-abcdef")
        .description("evrelay deploy")
        .change_set_type(aws_sdk_cloudformation::types::ChangeSetType::Create)
        .template_body(r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#)
        .send()
        .await
        .unwrap();
    let out = run(&moto, &["--stack", "ghost", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("REVIEW_IN_PROGRESS"), "{stdout}");
    assert!(stdout.contains("never executed"), "{stdout}");

    // The command status named removes all of it.
    let out = run(&moto, &["--stack", "ghost", "destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(managed_endpoints(&net.live_endpoints().await, "ghost").is_empty());
    let ec2 = &net.ec2;
    for g in groups {
        let left = ec2
            .describe_security_groups()
            .group_ids(g.as_str().unwrap())
            .send()
            .await;
        assert!(
            left.is_err() || left.unwrap().security_groups().is_empty(),
            "{g} left"
        );
    }
    assert!(!net.stack_exists("ghost").await);
    let out = run(&moto, &["--stack", "ghost", "--output", "json", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        out.stdout.is_empty(),
        "nothing left to show: {}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_a_held_delete_stack_says_the_delete_goes_on_and_a_rerun_finishes() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "held").await;
    let proxy = SlowProxy::start(&moto.endpoint, Duration::from_millis(300), |b| b);
    let home = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["--stack", "held", "destroy", "--yes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let child = spawn(&proxy.endpoint, home.path(), &args);
    // Signalled once DeleteStack has reached moto; its answer is still held by the proxy.
    let (out, err) = signal_once(child, "sending DeleteStack", "-INT", || {
        proxy.forwarded("DeleteStack") > 0
    });
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("goes on in AWS"), "{err}");
    assert!(
        err.contains("`evrelay status --watch --stack held`"),
        "{err}"
    );
    assert!(
        err.contains("`evrelay destroy --stack held` again finishes it"),
        "{err}"
    );

    // The rerun finishes: the endpoints go after the stack.
    let out = run(&moto, &["--stack", "held", "destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!net.stack_exists("held").await);
    assert!(managed_endpoints(&net.live_endpoints().await, "held").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_the_endpoint_deletion_leaves_only_what_status_shows() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "epint").await;
    let proxy = SlowProxy::start(&moto.endpoint, Duration::from_millis(300), |b| b);
    let home = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["--stack", "epint", "destroy", "--yes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let child = spawn(&proxy.endpoint, home.path(), &args);
    let (out, err) = signal_once(child, "Deleting the VPC endpoints", "-INT", || {
        proxy.forwarded("DeleteVpcEndpoints") > 0
    });
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`evrelay status --stack epint` shows what is left"),
        "{err}"
    );
    assert!(!net.stack_exists("epint").await);

    // What the stopped run left (the endpoint's group at least) is on status's screen.
    let out = run(&moto, &["--stack", "epint", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("sg-"), "{stdout}");
    assert!(
        stdout.contains("`evrelay destroy --stack epint`"),
        "{stdout}"
    );
    // And the command it names leaves nothing.
    let out = run(&moto, &["--stack", "epint", "destroy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&moto, &["--stack", "epint", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
}
