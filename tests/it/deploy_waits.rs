//! A first deploy on the time-shaped emulator (tests/emulator/strict/waits.py, 20x faster than
//! AWS): the endpoints' `pending` and the stack's create run side by side; an endpoint that
//! fails keeps the stack; a rollback removes only the endpoints this run made.

use crate::harness::Moto;
use crate::stack::net::{deploy_args, seed, Net};

const FAST: (&str, &str) = ("EVRELAY_EMULATOR_TIME_SCALE", "0.05");

fn transcript(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn deploy(moto: &Moto, net: &Net, stack: &str) -> (std::process::Output, String) {
    net.plain_admits_itself_on_443().await;
    let url = format!("http://{}/", net.plain.internal_alb.dns_name);
    let mut args = deploy_args(net, stack);
    // The plain VPC has no NAT: deploy makes the Secrets Manager and EventBridge endpoints.
    let subnets = &net.plain.private_subnets;
    args.splice(
        3..,
        [
            "--yes",
            "--generate-secret",
            "--subnet",
            &subnets[0],
            "--subnet",
            &subnets[1],
            "--security-group",
            &net.plain.node_sg,
            "--url",
            &url,
        ]
        .map(String::from),
    );
    let out = moto.evrelay().args(&args).output().unwrap();
    let text = transcript(&out);
    (out, text)
}

async fn states(net: &Net) -> Vec<String> {
    let mut states: Vec<String> = net
        .live_endpoints_in(&net.plain.vpc_id)
        .await
        .iter()
        .filter_map(|e| e.state().map(|s| s.as_str().to_string()))
        .collect();
    states.sort();
    states
}

#[tokio::test]
async fn the_stack_is_created_while_the_endpoints_are_still_pending() {
    let moto = Moto::start_with_env(&[FAST]);
    let net = seed(&moto).await;
    let (out, text) = deploy(&moto, &net, "overlap").await;
    assert_eq!(out.status.code(), Some(0), "{text}");
    // The stack's watch showed the endpoints pending: the change set ran during their wait.
    assert!(text.contains("waiting on the VPC endpoints:"), "{text}");
    assert!(text.contains("secretsmanager pending"), "{text}");
    // One line per resource and state, in the order the template's graph allows: the role
    // before the function, the function before the rule that invokes it, the stack last.
    let lines: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            Some((words.next()?, words.next()?))
        })
        .filter(|(status, _)| status.starts_with("CREATE_"))
        .collect();
    let at = |id: &str, status: &str| {
        let found: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i] == (status, id))
            .collect();
        assert_eq!(found.len(), 1, "{id} {status} once:\n{text}");
        found[0]
    };
    assert!(at("RelayRole", "CREATE_COMPLETE") < at("Function", "CREATE_IN_PROGRESS"));
    assert!(at("Function", "CREATE_COMPLETE") < at("InboundRule", "CREATE_IN_PROGRESS"));
    assert_eq!(
        lines.last(),
        Some(&("CREATE_COMPLETE", "overlap")),
        "{text}"
    );
    // Ready only once both are: the endpoints are available when the deploy says so.
    assert_eq!(states(&net).await, ["available", "available"], "{text}");
}

#[tokio::test]
async fn an_endpoint_that_fails_during_the_create_keeps_the_stack_and_says_how_to_retry() {
    let moto = Moto::start_with_env(&[FAST, ("EVRELAY_EMULATOR_ENDPOINT_FAILS", "1")]);
    let net = seed(&moto).await;
    let (out, text) = deploy(&moto, &net, "epfail").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("is failed"), "{text}");
    assert!(text.contains("the stack epfail is kept"), "{text}");
    assert!(
        text.contains("aws ec2 delete-vpc-endpoints --vpc-endpoint-ids vpce-"),
        "{text}"
    );
    assert!(net.stack_exists("epfail").await);
}

#[tokio::test]
async fn a_rollback_while_the_endpoints_are_pending_removes_only_this_run_s_endpoints() {
    let moto = Moto::start_with_env(&[
        FAST,
        (
            "EVRELAY_EMULATOR_FAIL_RESOURCE",
            "RelayRole=Role name is too long",
        ),
    ]);
    let net = seed(&moto).await;
    let theirs = net.create_untagged_secrets_endpoint().await;
    let (out, text) = deploy(&moto, &net, "rollback").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("RelayRole (AWS::IAM::Role): Role name is too long"),
        "{text}"
    );
    // The plain VPC's endpoints (this run's) are going; the operator's own in the other VPC stays.
    let left = net.live_endpoints_in(&net.plain.vpc_id).await;
    assert!(
        left.iter()
            .all(|e| e.state().map(|s| s.as_str()) == Some("deleting")),
        "{text}\n{left:?}"
    );
    let others: Vec<String> = net
        .live_endpoints()
        .await
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    assert_eq!(others, [theirs]);
}
