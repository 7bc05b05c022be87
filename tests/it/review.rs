//! Review, then apply, as `sam deploy --no-execute-changeset` teaches: `deploy --no-execute`
//! keeps the change set and says how to run it; `deploy --execute CHANGE_SET` runs it later
//! with the settings it was made with, after the checks run again. On AWS a change set is gone
//! once another one runs on its stack (the strict emulator does the same).

use serde_json::Value;

use crate::harness::Moto;
use crate::safety::account_state;
use crate::stack::net::{deploy_args, seed, Net};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `{"type":"changeset",…}` line of a deploy's JSON output.
fn change_set_line(out: &std::process::Output) -> Value {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "changeset")
        .unwrap_or_else(|| {
            panic!(
                "no change set line: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
}

async fn stack_status(net: &Net, stack: &str) -> String {
    let out = net
        .cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    out.stacks()[0].stack_status().unwrap().as_str().to_string()
}

async fn endpoints(net: &Net) -> usize {
    let out = net.ec2.describe_vpc_endpoints().send().await.unwrap();
    out.vpc_endpoints().len()
}

/// `deploy --no-execute`: exit 0, the kept change set's name and the command that runs it.
fn keep(moto: &Moto, args: Vec<String>) -> (String, String) {
    let out = moto
        .evrelay()
        .arg("--output")
        .arg("json")
        .args(args)
        .arg("--no-execute")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = change_set_line(&out);
    let name = line["change_set"].as_str().unwrap().to_string();
    let command = line["execute_command"].as_str().unwrap().to_string();
    assert!(
        stderr(&out).contains(&format!("Kept change set {name}")),
        "{}",
        stderr(&out)
    );
    (name, command)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kept_change_set_is_reviewed_then_executed_with_its_own_settings() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let endpoints_before = endpoints(&net).await;

    let mut args = deploy_args(&net, "reviewed");
    args.extend([
        "--detail-type".into(),
        "order-placed".into(),
        "--generate-secret".into(),
    ]);
    let (name, command) = keep(&moto, args);
    assert_eq!(
        command,
        format!("evrelay deploy --execute {name} --stack reviewed --region us-east-1")
    );
    // Kept, and nothing else made: no endpoint, no config file, the stack only under review.
    assert_eq!(stack_status(&net, "reviewed").await, "REVIEW_IN_PROGRESS");
    assert_eq!(endpoints(&net).await, endpoints_before);
    assert!(!moto.config_file().exists());

    // Run it: no setting flag, the change set's own settings (and the endpoint it needs).
    let out = moto
        .evrelay()
        .args(["--stack", "reviewed", "deploy", "--execute", &name, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stack_status(&net, "reviewed").await, "CREATE_COMPLETE");
    assert!(
        endpoints(&net).await > endpoints_before,
        "the Secrets Manager endpoint"
    );
    let remembered = std::fs::read_to_string(moto.config_file()).unwrap();
    assert!(
        remembered.contains("order-placed") && remembered.contains(&net.alb_url),
        "{remembered}"
    );

    // Executed once: a second run is refused (exit 1) and says why.
    let out = moto
        .evrelay()
        .args(["--stack", "reviewed", "deploy", "--execute", &name, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("EXECUTE_COMPLETE"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kept_update_is_gone_once_another_deploy_runs_and_unknown_names_create_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let mut first = deploy_args(&net, "kept");
    first.extend(["--generate-secret".into(), "--yes".into()]);
    let out = moto.evrelay().args(first).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let mut update = deploy_args(&net, "kept");
    update.extend(["--detail-type".into(), "order-placed".into()]);
    let (name, _) = keep(&moto, update);
    let mut other = deploy_args(&net, "kept");
    other.extend([
        "--detail-type".into(),
        "order-shipped".into(),
        "--yes".into(),
    ]);
    let out = moto.evrelay().args(other).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // CloudFormation deleted the kept change set when the other one ran; an unknown name is
    // the same: a usage error naming it, and nothing changes.
    let before = account_state(&net).await;
    for change_set in [name.as_str(), "evrelay-404"] {
        let out = moto
            .evrelay()
            .args([
                "--stack",
                "kept",
                "deploy",
                "--execute",
                change_set,
                "--yes",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(change_set) && err.contains("no change set"),
            "{err}"
        );
        assert!(err.contains("--no-execute"), "the hint: {err}");
    }
    // A setting flag beside --execute is refused by the parser.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "kept",
            "deploy",
            "--execute",
            "evrelay-1",
            "--url",
            "http://x/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(account_state(&net).await, before, "nothing changed");
}

/// A change set on evrelay's stack that only looks like evrelay's: the description anyone can
/// write is not enough, the name and the `evrelay:managed` tag must be evrelay's too.
#[tokio::test(flavor = "multi_thread")]
async fn a_change_set_that_only_claims_to_be_evrelays_is_never_executed() {
    use aws_sdk_cloudformation::types::Tag;

    let moto = Moto::start();
    let net = seed(&moto).await;
    let mut first = deploy_args(&net, "owned");
    first.extend(["--generate-secret".into(), "--yes".into()]);
    let out = moto.evrelay().args(first).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Someone else's change would replace the relay with one queue.
    let template = r#"{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}"#;
    let tag = |v: &str| Tag::builder().key("evrelay:managed").value(v).build();
    for (name, managed) in [("evrelay-1-forged", "false"), ("hand-made", "true")] {
        net.cfn
            .create_change_set()
            .stack_name("owned")
            .change_set_name(name)
            .description("evrelay deploy")
            .template_body(template)
            .tags(tag(managed))
            .send()
            .await
            .unwrap();
    }
    let before = account_state(&net).await;
    for name in ["evrelay-1-forged", "hand-made"] {
        let out = moto
            .evrelay()
            .args(["--stack", "owned", "deploy", "--execute", name, "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{name} on stack `owned` was not made by evrelay")),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(account_state(&net).await, before, "nothing ran");
}
