//! The deploy flags SAM and rain users look for: `--tags` (propagated by CloudFormation, never
//! over evrelay's own) and `--role-arn` (the service role), each refused as a usage error when
//! malformed, before anything is created.

use crate::harness::Moto;
use crate::safety::account_state;
use crate::stack::net::{deploy_args, seed};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const ROLE: &str = "arn:aws:iam::123456789012:role/cfn-deployer";

#[tokio::test(flavor = "multi_thread")]
async fn tags_and_the_service_role_reach_the_stack_and_a_redeploy_keeps_the_tags() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "tagged"))
        .args(["--tags", "team=payments", "--tags", "cost-centre=42"])
        .args(["--role-arn", ROLE, "--generate-secret", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let tags = |s: &aws_sdk_cloudformation::types::Stack| -> Vec<(String, String)> {
        s.tags()
            .iter()
            .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
            .collect()
    };
    let stack = net
        .cfn
        .describe_stacks()
        .stack_name("tagged")
        .send()
        .await
        .unwrap();
    let s = &stack.stacks()[0];
    let t = tags(s);
    for want in [
        ("team", "payments"),
        ("cost-centre", "42"),
        ("evrelay:managed", "true"),
    ] {
        assert!(t.contains(&(want.0.into(), want.1.into())), "{t:?}");
    }
    assert_eq!(s.role_arn(), Some(ROLE));

    // A redeploy without --tags (and with a config file that has none: a fresh one) keeps them.
    std::fs::remove_file(moto.config_file()).unwrap();
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "tagged"))
        .args(["--detail-type", "order-placed", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stack = net
        .cfn
        .describe_stacks()
        .stack_name("tagged")
        .send()
        .await
        .unwrap();
    let t = tags(&stack.stacks()[0]);
    assert!(t.contains(&("team".into(), "payments".into())), "{t:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_tags_and_role_arns_are_usage_errors_and_create_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let before = account_state(&net).await;
    for (flag, value, names) in [
        ("--tags", "team", "KEY=VALUE"),
        ("--tags", "evrelay:managed=false", "reserved"),
        ("--role-arn", "cfn-deployer", "IAM role ARN"),
    ] {
        let out = moto
            .evrelay()
            .args(deploy_args(&net, "bad"))
            .args([flag, value, "--generate-secret", "--yes"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(err.contains(value) && err.contains(names), "{err}");
    }
    assert_eq!(account_state(&net).await, before, "nothing was created");
}

/// The stack's value of one parameter.
async fn parameter(net: &crate::stack::net::Net, stack: &str, key: &str) -> Option<String> {
    let out = net
        .cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    out.stacks()[0]
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(key))
        .and_then(|p| p.parameter_value().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_secret_and_a_host_name_reach_the_template_and_the_key_never_passes() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sm = aws_sdk_secretsmanager::Client::new(&moto.sdk().await);
    let created = sm
        .create_secret()
        .name("EventsToVpcSecret")
        .secret_string("the-apps-own-key-1234")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_string();
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "existing"))
        .args([
            "--secret-id",
            "EventsToVpcSecret",
            "--host",
            "App.Example.com",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(
        !all.contains("the-apps-own-key-1234"),
        "evrelay never reads it: {all}"
    );
    assert_eq!(
        parameter(&net, "existing", "ExistingSecretArn").await,
        Some(arn)
    );
    assert_eq!(
        parameter(&net, "existing", "TargetHost").await.as_deref(),
        Some("app.example.com")
    );
    let text = std::fs::read_to_string(moto.config_file()).unwrap();
    assert!(text.contains("secret_id = \"EventsToVpcSecret\""), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_secret_another_relays_key_or_a_bad_host_is_refused_before_anything_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // Relay `orders`'s own key, as its stack makes it (moto's CloudFormation makes no secrets):
    // it goes with that stack, so no other relay may lean on it.
    aws_sdk_secretsmanager::Client::new(&moto.sdk().await)
        .create_secret()
        .name("orders-api-key")
        .description("API key of evrelay stack orders")
        .secret_string("generated-key-0001")
        .send()
        .await
        .unwrap();
    let before = account_state(&net).await;
    for (args, names) in [
        (vec!["--secret-id", "NoSuchSecret"], "NoSuchSecret"),
        (vec!["--secret-id", "orders-api-key"], "`orders`'s own key"),
        (
            vec!["--host", "https://app.example.com", "--generate-secret"],
            "https://app.example.com",
        ),
        (
            vec!["--host", "app.example.com/x", "--generate-secret"],
            "app.example.com/x",
        ),
    ] {
        let out = moto
            .evrelay()
            .args(deploy_args(&net, "refused"))
            .args(&args)
            .arg("--yes")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(names), "{}", stderr(&out));
    }
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "refused"))
        .args(["--secret-id", "x", "--secret-stdin", "--yes"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--secret-id with --secret-stdin: {}",
        stderr(&out)
    );
    assert_eq!(account_state(&net).await, before, "nothing was created");
}
