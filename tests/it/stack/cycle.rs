//! The real binary against moto: deploy → status → redeploy → destroy, a reused endpoint,
//! missing stacks, every preflight failure (and that it created nothing), the secret's rules.

use std::process::Output;

use super::net::{deploy_args, seed, Net};
use crate::harness::{stdout_json, Moto};

/// Recognisable, so its absence from every output can be asserted.
const SECRET: &str = "s3cr3t-evrelay-7f3a9c21";

/// Exit code, stdout and stderr; fails the test if the secret appears anywhere.
fn transcript(out: &Output) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(SECRET), "the secret leaked:\n{text}");
    text
}

macro_rules! snapshot {
    ($name:expr, $out:expr) => {{
        let text = transcript($out);
        crate::snap::settings().bind(|| insta::assert_snapshot!($name, text));
    }};
}

fn tagged_endpoints(eps: &[aws_sdk_ec2::types::VpcEndpoint], stack: &str) -> Vec<String> {
    eps.iter()
        .filter(|e| {
            e.tags()
                .iter()
                .any(|t| t.key() == Some("evrelay:stack") && t.value() == Some(stack))
        })
        .filter(|e| {
            e.tags()
                .iter()
                .any(|t| t.key() == Some("evrelay:managed") && t.value() == Some("true"))
        })
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn deploy_status_redeploy_destroy() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "cycle";

    let out = moto
        .evrelay()
        .args(deploy_args(&net, stack))
        .args(["--yes", "--secret-env", "RELAY_KEY"])
        .env("RELAY_KEY", SECRET)
        .output()
        .unwrap();
    snapshot!("cycle_deploy", &out);
    assert_eq!(out.status.code(), Some(0));
    assert!(net.stack_exists(stack).await);
    let managed = tagged_endpoints(&net.live_endpoints().await, stack);
    assert_eq!(
        managed.len(),
        1,
        "one Secrets Manager endpoint, none for events (the subnets have NAT)"
    );

    let out = moto
        .evrelay()
        .args(["--stack", stack, "status"])
        .output()
        .unwrap();
    snapshot!("cycle_status", &out);
    assert_eq!(out.status.code(), Some(0));
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .output()
        .unwrap();
    let status = stdout_json(&out);
    assert_eq!(status["status"], "CREATE_COMPLETE");
    assert_eq!(status["endpoints"][0]["id"], managed[0].as_str());
    assert_eq!(status["queues"][0]["role"], "dlq");
    assert_eq!(status["queues"][0]["visible"], 0);

    // Redeploy changing only the inbound rule's detail-type, with no secret source (the stack
    // keeps its key: UsePreviousValue). moto gaps: updating the inline-code function fails with
    // HTTP 500, so this change leaves the function alone; and moto reads List<> parameters back
    // as a Python repr ("['subnet-…']", AWS: "subnet-…,subnet-…"), so the subnets and group are
    // passed again rather than taken from the stack.
    let mut redeploy = deploy_args(&net, stack);
    redeploy.splice(0..0, ["--output".to_string(), "json".to_string()]);
    let out = moto
        .evrelay()
        .args(redeploy)
        .args(["--yes", "--detail-type", "order-placed"])
        .output()
        .unwrap();
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect(l))
        .collect();
    assert_eq!(lines.first().unwrap()["type"], "changeset");
    assert_eq!(lines[0]["operation"], "update");
    // The one parameter that changes, old → new, before the prompt; the kept key is no change.
    assert_eq!(
        lines[0]["parameters"],
        serde_json::json!([{"key": "InboundDetailType", "old": "inbound-event-sent", "new": "order-placed"}]),
        "{text}"
    );
    // moto lists no changes for an UPDATE change set; the rule itself shows the update.
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk().await);
    let rule = events
        .describe_rule()
        .name(format!("{stack}-inbound"))
        .event_bus_name(format!("{stack}-bus"))
        .send()
        .await
        .unwrap();
    assert!(
        rule.event_pattern().unwrap().contains("order-placed"),
        "{:?}",
        rule.event_pattern()
    );
    let result = lines.last().unwrap();
    assert_eq!(
        (result["type"].as_str(), result["ok"].as_bool()),
        (Some("result"), Some(true))
    );
    assert_eq!(result["operation"], "update");
    assert_eq!(
        tagged_endpoints(&net.live_endpoints().await, stack),
        managed,
        "the endpoint is reused, not duplicated"
    );

    let out = moto
        .evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .output()
        .unwrap();
    snapshot!("cycle_destroy", &out);
    assert_eq!(out.status.code(), Some(0));
    assert!(!net.stack_exists(stack).await);
    assert!(tagged_endpoints(&net.live_endpoints().await, stack).is_empty());

    // A second destroy finds the stack already deleted: not an error, and it says when.
    let out = moto
        .evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .output()
        .unwrap();
    snapshot!("cycle_destroy_again", &out);
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test]
async fn an_existing_secrets_manager_endpoint_is_reused_and_survives_destroy() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let theirs = net.create_untagged_secrets_endpoint().await;
    let stack = "reuse";
    let out = moto
        .evrelay()
        .args(deploy_args(&net, stack))
        .args(["--yes", "--secret-stdin"])
        .write_stdin(format!("{SECRET}\n"))
        .output()
        .unwrap();
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("reuse {theirs}")), "{text}");
    assert_eq!(
        net.live_endpoints().await.len(),
        1,
        "no second Secrets Manager endpoint"
    );

    let out = moto
        .evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let left: Vec<String> = net
        .live_endpoints()
        .await
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    assert_eq!(
        left,
        [theirs],
        "an endpoint evrelay did not create is never deleted"
    );
}

#[test]
fn a_missing_stack_fails_status_and_destroy() {
    let moto = Moto::start();
    let out = moto
        .evrelay()
        .args(["--stack", "nowhere", "status"])
        .output()
        .unwrap();
    snapshot!("missing_status", &out);
    assert_eq!(out.status.code(), Some(1));
    let out = moto
        .evrelay()
        .args(["--stack", "nowhere", "destroy", "--yes"])
        .output()
        .unwrap();
    snapshot!("missing_destroy", &out);
    assert_eq!(out.status.code(), Some(1));
}

/// Runs deploy with one flag replaced; asserts the exit code (1, or 2 for a bad flag value),
/// and that nothing was created.
async fn preflight_fails(moto: &Moto, net: &Net, name: &str, replace: (&str, &str), code: i32) {
    let stack = format!("pf-{name}");
    let mut args = deploy_args(net, &stack);
    let at = args.iter().position(|a| a == replace.0).unwrap();
    args[at + 1] = replace.1.to_string();
    let out = moto
        .evrelay()
        .args(&args)
        .args(["--yes", "--secret-env", "RELAY_KEY"])
        .env("RELAY_KEY", SECRET)
        .output()
        .unwrap();
    snapshot!(format!("preflight_{}", name.replace('-', "_")), &out);
    assert_eq!(out.status.code(), Some(code), "{}", transcript(&out));
    assert!(
        !net.stack_exists(&stack).await,
        "{name}: a stack was created"
    );
    assert!(
        net.live_endpoints().await.is_empty(),
        "{name}: an endpoint was created"
    );
}

#[tokio::test]
async fn each_preflight_failure_is_one_line_exit_1_and_creates_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    preflight_fails(
        &moto,
        &net,
        "public-subnet",
        ("--subnet", &net.public.clone()),
        1,
    )
    .await;
    // Both subnets in us-east-1a.
    let second = net.private_b.clone();
    let mut one_az = deploy_args(&net, "pf-one-az");
    let at = one_az.iter().position(|a| *a == second).unwrap();
    one_az[at] = net.private_a2.clone();
    let out = moto
        .evrelay()
        .args(&one_az)
        .args(["--yes", "--generate-secret"])
        .output()
        .unwrap();
    snapshot!("preflight_one_az", &out);
    assert_eq!(out.status.code(), Some(1));
    assert!(!net.stack_exists("pf-one-az").await);
    preflight_fails(
        &moto,
        &net,
        "foreign-sg",
        ("--security-group", &net.other_vpc_sg.clone()),
        1,
    )
    .await;
    preflight_fails(
        &moto,
        &net,
        "bad-url",
        ("--url", "internal-app:80/no-scheme"),
        2,
    )
    .await;
    preflight_fails(
        &moto,
        &net,
        "missing-subnet",
        ("--subnet", "subnet-0123456789abcdef0"),
        1,
    )
    .await;
    assert!(net.live_endpoints().await.is_empty());
}

#[tokio::test]
async fn a_first_deploy_without_a_secret_source_is_a_usage_error() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "nosecret"))
        .arg("--yes")
        .output()
        .unwrap();
    snapshot!("no_secret_source", &out);
    assert_eq!(out.status.code(), Some(2));
    assert!(!net.stack_exists("nosecret").await);
    // Too short: refused without echoing it.
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "nosecret"))
        .args(["--yes", "--secret-stdin"])
        .write_stdin("short\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("short"));
}

#[tokio::test]
async fn without_yes_and_without_a_terminal_deploy_asks_nothing_and_changes_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "noyes"))
        .args(["--generate-secret"])
        .output()
        .unwrap();
    snapshot!("no_yes_no_terminal", &out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !net.stack_exists("noyes").await,
        "the change set's REVIEW_IN_PROGRESS stack is removed too"
    );
    assert!(net.live_endpoints().await.is_empty());
}

#[tokio::test]
async fn dry_run_shows_the_change_set_and_changes_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "dry"))
        .args(["--generate-secret", "--dry-run"])
        .output()
        .unwrap();
    snapshot!("dry_run", &out);
    assert_eq!(out.status.code(), Some(0));
    assert!(!net.stack_exists("dry").await);
    assert!(net.live_endpoints().await.is_empty());
}

#[tokio::test]
async fn without_nat_deploy_adds_an_events_endpoint_and_destroy_removes_both() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    net.plain_admits_itself_on_443().await;
    let url = format!("http://{}/", net.plain.internal_alb.dns_name);
    let stack = "nonat";
    let args = [
        "--stack",
        stack,
        "deploy",
        "--yes",
        "--generate-secret",
        "--subnet",
        &net.plain.private_subnets[0],
        "--subnet",
        &net.plain.private_subnets[1],
        "--security-group",
        &net.plain.node_sg,
        "--url",
        &url,
    ];
    let out = moto.evrelay().args(args).output().unwrap();
    snapshot!("no_nat_deploy", &out);
    assert_eq!(out.status.code(), Some(0));
    let endpoints = net.live_endpoints_in(&net.plain.vpc_id).await;
    let mut services: Vec<&str> = endpoints.iter().filter_map(|e| e.service_name()).collect();
    services.sort_unstable();
    assert_eq!(
        services,
        [
            "com.amazonaws.us-east-1.events",
            "com.amazonaws.us-east-1.secretsmanager"
        ]
    );
    assert_eq!(tagged_endpoints(&endpoints, stack).len(), 2);

    // The stack already gone (deleted behind evrelay's back) but the endpoints left: a destroy
    // finishes the job.
    net.cfn
        .delete_stack()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    let out = moto
        .evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .output()
        .unwrap();
    snapshot!("destroy_endpoints_only", &out);
    assert_eq!(out.status.code(), Some(0));
    assert!(net.live_endpoints_in(&net.plain.vpc_id).await.is_empty());
}

#[tokio::test]
async fn vpc_id_takes_discovers_picks() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "picked",
            "--output",
            "json",
            "deploy",
            "--yes",
            "--generate-secret",
            "--vpc-id",
            &net.vpc,
        ])
        .output()
        .unwrap();
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let stack = net
        .cfn
        .describe_stacks()
        .stack_name("picked")
        .send()
        .await
        .unwrap();
    let params = stack.stacks()[0].parameters();
    let value = |k: &str| {
        params
            .iter()
            .find(|p| p.parameter_key() == Some(k))
            .and_then(|p| p.parameter_value())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(value("TargetUrl"), net.alb_url);
    assert!(
        value("SecurityGroupIds").contains(&net.relay_sg),
        "{}",
        value("SecurityGroupIds")
    );
    assert!(
        value("SubnetIds").contains(&net.private_a),
        "{}",
        value("SubnetIds")
    );
    // An explicit flag wins over the pick.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "picked2",
            "deploy",
            "--yes",
            "--generate-secret",
            "--vpc-id",
            &net.vpc,
            "--url",
            "https://orders.internal.example/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stack = net
        .cfn
        .describe_stacks()
        .stack_name("picked2")
        .send()
        .await
        .unwrap();
    let url = stack.stacks()[0]
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some("TargetUrl"))
        .and_then(|p| p.parameter_value())
        .map(str::to_string);
    assert_eq!(url.as_deref(), Some("https://orders.internal.example/"));
}

#[tokio::test]
async fn destroy_finds_the_relay_s_lambda_interfaces_by_description() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let names = evrelay::names::RelayNames::new("eni-test");
    let mine = net
        .ec2
        .create_network_interface()
        .subnet_id(&net.private_a)
        .description(format!(
            "{}-3f1a7c2e-9b1d-4c55-a2d4-0e5f6a7b8c9d",
            names.eni_description_prefix()
        ))
        .send()
        .await
        .unwrap();
    let mine = mine
        .network_interface()
        .unwrap()
        .network_interface_id()
        .unwrap()
        .to_string();
    // Another function's interface: not listed.
    net.ec2
        .create_network_interface()
        .subnet_id(&net.private_b)
        .description("AWS Lambda VPC ENI-other-relay-1234")
        .send()
        .await
        .unwrap();
    let waiting =
        evrelay::commands::destroy::lambda_interfaces(&net.ec2, names.eni_description_prefix())
            .await
            .unwrap();
    let ids: Vec<&str> = waiting.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, [mine.as_str()]);
    assert!(
        waiting.items[0].detail.contains(&net.private_a),
        "{:?}",
        waiting.items[0]
    );
}

/// A stack moto leaves in CREATE_IN_PROGRESS for good (moto: a resource that fails creation
/// leaves the stack mid-change, no rollback): a stand-in for a change still running on AWS.
async fn stuck_stack(net: &Net, name: &str) {
    let template = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
        "F": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "stuck-f",
        "Runtime": "python3.12", "Handler": "index.handler",
        "Role": "arn:aws:iam::123456789012:role/missing", "Code": {"ZipFile": "x"}}}}}"#;
    // moto answers with an error it cannot even format as XML; the stack stays behind anyway.
    let _ = net
        .cfn
        .create_stack()
        .stack_name(name)
        .template_body(template)
        .tags(
            aws_sdk_cloudformation::types::Tag::builder()
                .key("evrelay:managed")
                .value("true")
                .build(),
        )
        .send()
        .await;
    let status = net
        .cfn
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.stacks()[0].stack_status().map(|s| s.as_str()),
        Some("CREATE_IN_PROGRESS")
    );
}

/// Runs evrelay and sends it SIGINT once it says it is following the change (the line follow
/// prints once Ctrl-C is handled): no fixed sleep.
fn interrupted<S: AsRef<str>>(moto: &Moto, args: &[S]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let args: Vec<String> = args.iter().map(|s| s.as_ref().to_string()).collect();
    let child = crate::safety_interrupt::spawn(&moto.endpoint, home.path(), &args);
    let (mut out, stderr) = crate::safety_interrupt::interrupt_when(child, "Following the ");
    out.stderr = stderr.into_bytes();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_watching_and_says_the_change_goes_on() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    stuck_stack(&net, "busy").await;

    let out = moto
        .evrelay()
        .args(["--stack", "busy", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CREATE_IN_PROGRESS"));

    let out = interrupted(&moto, &["--stack", "busy", "status", "--watch"]);
    snapshot!("ctrl_c_status_watch", &out);
    assert_eq!(out.status.code(), Some(1));

    // deploy finds the stack mid-change and waits for it instead of failing.
    let mut args = deploy_args(&net, "busy");
    args.extend(["--yes".to_string(), "--generate-secret".to_string()]);
    let out = interrupted(&moto, &args);
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("is CREATE_IN_PROGRESS; waiting for it to settle first"),
        "{text}"
    );
    assert!(text.contains("goes on in AWS"), "{text}");
}
