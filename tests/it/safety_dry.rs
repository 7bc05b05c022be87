//! A dry run is dry in every state the stack can be in (none, healthy, REVIEW_IN_PROGRESS,
//! ROLLBACK_COMPLETE, in progress), `--yes` or not: stacks (with ListStacks' history), change
//! sets and endpoints are compared before and after, and the run says what a deploy would do.

use std::time::Duration;

use aws_sdk_cloudformation::types::{ChangeSetType, Tag};

use crate::harness::Moto;
use crate::safety::{account_state, deploy_args};
use crate::safety_interrupt::SlowProxy;
use crate::stack::net::{seed, Net};

const QUEUE: &str = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#;

fn managed() -> Tag {
    Tag::builder().key("evrelay:managed").value("true").build()
}

/// moto never rolls a stack back: this proxy shows every CREATE_COMPLETE stack as
/// ROLLBACK_COMPLETE, as CloudFormation leaves a stack whose creation failed
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html).
fn rolled_back(body: String) -> String {
    body.replace(
        "<StackStatus>CREATE_COMPLETE</StackStatus>",
        "<StackStatus>ROLLBACK_COMPLETE</StackStatus>",
    )
}

/// A stack moto leaves in CREATE_IN_PROGRESS for good (a resource that fails creation), tagged
/// as evrelay's.
async fn busy_stack(net: &Net, name: &str) {
    let template = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
        "F": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "busy-f",
        "Runtime": "python3.12", "Handler": "index.handler",
        "Role": "arn:aws:iam::123456789012:role/missing", "Code": {"ZipFile": "x"}}}}}"#;
    let _ = net
        .cfn
        .create_stack()
        .stack_name(name)
        .template_body(template)
        .tags(managed())
        .send()
        .await;
}

async fn dry_run(
    moto: &Moto,
    endpoint: &str,
    net: &Net,
    stack: &str,
    extra: &[&str],
) -> (String, String) {
    let mut args = deploy_args(net, stack);
    args.extend(["--dry-run", "--yes", "--generate-secret"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let before = account_state(net).await;
    let out = moto
        .evrelay()
        .env("AWS_ENDPOINT_URL", endpoint)
        .args(&args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(0), "{stack}: {stderr}");
    assert_eq!(
        account_state(net).await,
        before,
        "the dry run of {stack} changed the account:\n{stderr}"
    );
    (stdout, stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_changes_nothing_in_any_state_even_with_yes() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let direct = moto.endpoint.clone();

    // No stack: the template's resources, no change set (it would make a stack).
    let (out, err) = dry_run(&moto, &direct, &net, "dry-none", &[]).await;
    assert!(
        out.contains("Would change stack dry-none (create) in account 123456789012, us-east-1"),
        "{out}"
    );
    assert!(out.contains("+ Add   Bus"), "{out}");
    assert!(err.contains("Dry run: nothing changed."), "{err}");
    let (out, _) = dry_run(&moto, &direct, &net, "dry-none", &["--output", "json"]).await;
    let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (json["account"].as_str(), json["region"].as_str()),
        (Some("123456789012"), Some("us-east-1"))
    );
    assert_eq!(json["dry_run"], true);

    // REVIEW_IN_PROGRESS: a change set never executed.
    net.cfn
        .create_change_set()
        .stack_name("dry-review")
        .change_set_name("evrelay-1")
        .change_set_type(ChangeSetType::Create)
        .template_body(QUEUE)
        .tags(managed())
        .send()
        .await
        .unwrap();
    let (out, _) = dry_run(&moto, &direct, &net, "dry-review", &[]).await;
    assert!(
        out.contains("Would delete the failed stack dry-review (REVIEW_IN_PROGRESS) first"),
        "{out}"
    );

    // In progress: a deploy would wait; the dry run does not.
    busy_stack(&net, "dry-busy").await;
    let (_, err) = dry_run(&moto, &direct, &net, "dry-busy", &[]).await;
    assert!(
        err.contains("is CREATE_IN_PROGRESS; a deploy would wait for it to settle"),
        "{err}"
    );

    // ROLLBACK_COMPLETE, as the proxy shows it.
    net.cfn
        .create_stack()
        .stack_name("dry-rolled")
        .template_body(QUEUE)
        .tags(managed())
        .send()
        .await
        .unwrap();
    let proxy = SlowProxy::start(&moto.endpoint, Duration::ZERO, rolled_back);
    let (out, _) = dry_run(&moto, &proxy.endpoint, &net, "dry-rolled", &[]).await;
    assert!(
        out.contains("Would delete the failed stack dry-rolled (ROLLBACK_COMPLETE) first"),
        "{out}"
    );

    // Healthy: the update's change set is shown, then deleted.
    let mut args = deploy_args(&net, "dry-ok");
    args.extend(["--yes", "--generate-secret"].map(String::from));
    let deployed = moto.evrelay().args(&args).output().unwrap();
    assert_eq!(
        deployed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&deployed.stderr)
    );
    let (out, err) = dry_run(
        &moto,
        &direct,
        &net,
        "dry-ok",
        &["--detail-type", "other-type"],
    )
    .await;
    assert!(out.contains("Would change stack dry-ok (update)"), "{out}");
    assert!(
        err.contains("Dry run: the change set was deleted; nothing changed."),
        "{err}"
    );
}
