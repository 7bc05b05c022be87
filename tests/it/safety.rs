//! Act only on what is evrelay's, in the account meant: a foreign stack (the tutorial's) is
//! refused by deploy and destroy and survives untouched; an explicit `--profile` beats exported
//! keys, `AWS_PROFILE` does not, an unknown profile fails; the account id is shown.

use crate::harness::{stdout_json, Moto};
use crate::stack::net::{seed, Net};

/// The tutorial's SAM stack, reduced to resources moto creates (moto's CloudFormation has no
/// AWS::SecretsManager::Secret, so the secret is left out): its function's logical id is what
/// evrelay recognises it by.
pub const TUTORIAL_TEMPLATE: &str = r#"{"Resources": {
  "EventRelayFunctionRole": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
  "EventRelayFunction": {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "index.handler",
    "Role": {"Fn::GetAtt": ["EventRelayFunctionRole", "Arn"]},
    "Code": {"ZipFile": "def handler(event, context):\n    return event\n"}}},
  "EventRelayBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "event-relay-bus"}}
}}"#;

/// Stacks (name, id, status), each one's change sets, the endpoints (id, state) and security
/// groups: what a command that must change nothing has to leave exactly as it was. ListStacks
/// includes deleted stacks, so a stack made and removed again shows too.
pub async fn account_state(net: &Net) -> String {
    let mut lines = Vec::new();
    let stacks = net.cfn.list_stacks().send().await.unwrap();
    for s in stacks.stack_summaries() {
        lines.push(format!(
            "stack {} {} {}",
            s.stack_name().unwrap_or_default(),
            s.stack_id().unwrap_or_default(),
            s.stack_status().map(|st| st.as_str()).unwrap_or_default()
        ));
        if s.stack_status()
            .is_some_and(|st| st.as_str() == "DELETE_COMPLETE")
        {
            continue;
        }
        let sets = net
            .cfn
            .list_change_sets()
            .stack_name(s.stack_id().unwrap_or_default())
            .send()
            .await
            .unwrap();
        for c in sets.summaries() {
            lines.push(format!(
                "change set {} {}",
                c.change_set_id().unwrap_or_default(),
                c.status().map(|st| st.as_str()).unwrap_or_default()
            ));
        }
    }
    let eps = net.ec2.describe_vpc_endpoints().send().await.unwrap();
    for e in eps.vpc_endpoints() {
        lines.push(format!(
            "endpoint {} {}",
            e.vpc_endpoint_id().unwrap_or_default(),
            e.state().map(|st| st.as_str()).unwrap_or_default()
        ));
    }
    let groups = net.ec2.describe_security_groups().send().await.unwrap();
    for g in groups.security_groups() {
        lines.push(format!(
            "group {} {}",
            g.group_id().unwrap_or_default(),
            g.group_name().unwrap_or_default()
        ));
    }
    lines.sort();
    lines.dedup();
    lines.join("\n")
}

pub use crate::stack::net::deploy_args;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn create_stack(net: &Net, name: &str, template: &str) {
    net.cfn
        .create_stack()
        .stack_name(name)
        .template_body(template)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_tutorial_s_stack_survives_deploy_and_destroy_and_status_says_whose_it_is() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // The tutorial's stack name is evrelay's default `--stack`.
    create_stack(&net, "event-relay-app", TUTORIAL_TEMPLATE).await;
    let before = account_state(&net).await;
    assert!(before.contains("event-relay-app"), "{before}");

    let mut deploy: Vec<String> = deploy_args(&net, "event-relay-app");
    deploy.extend(["--yes".into(), "--generate-secret".into()]);
    let runs: [Vec<String>; 2] = [deploy, vec!["destroy".into(), "--yes".into()]];
    for args in runs {
        let out = moto.evrelay().args(&args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.lines().count() <= 3,
            "a refusal is at most three lines:\n{err}"
        );
        assert!(
            err.contains("`event-relay-app` is the tutorial's SAM stack"),
            "{err}"
        );
        assert!(
            err.contains("--stack NAME") && err.contains("sam delete --stack-name event-relay-app"),
            "{err}"
        );
        assert_eq!(
            account_state(&net).await,
            before,
            "{args:?} changed the account"
        );
    }

    let out = moto.evrelay().args(["status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("is the tutorial's SAM stack, not evrelay's"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("in account 123456789012, us-east-1"),
        "{text}"
    );
    assert!(text.contains("not created by evrelay"), "{text}");
    let out = moto
        .evrelay()
        .args(["--output", "json", "status"])
        .output()
        .unwrap();
    let json = stdout_json(&out);
    assert_eq!(
        (
            json["owner"].as_str(),
            json["account"].as_str(),
            json["region"].as_str()
        ),
        (Some("tutorial"), Some("123456789012"), Some("us-east-1"))
    );
}

#[tokio::test]
async fn any_stack_without_the_tag_is_refused_with_the_way_forward() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    create_stack(
        &net,
        "someone-else",
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "theirs"}}}}"#,
    )
    .await;
    let before = account_state(&net).await;
    let out = moto
        .evrelay()
        .args(["--stack", "someone-else", "destroy", "--yes"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim_end(),
        "error: stack `someone-else` was not created by evrelay (no evrelay:managed tag): destroy will not touch it\n\
         hint: pass `--stack NAME` to deploy a new relay beside it under another name"
    );
    assert_eq!(account_state(&net).await, before);

    // A destroy that finds nothing still says which account it looked in.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "nothing-here",
            "--output",
            "json",
            "destroy",
            "--yes",
            "--ignore-missing",
        ])
        .output()
        .unwrap();
    let json = stdout_json(&out);
    assert_eq!(
        (
            json["account"].as_str(),
            json["region"].as_str(),
            json["stack_deleted"].as_bool()
        ),
        (Some("123456789012"), Some("us-east-1"), Some(false))
    );
}

/// A `credential_process` profile whose script leaves a marker when it runs.
fn profile_home(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let marker = dir.join("called");
    let script = dir.join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"prodkey\", \"SecretAccessKey\": \"prodsecret\"}}'\n",
            marker.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile prod]\ncredential_process = {}\nregion = us-east-1\n",
            script.display()
        ),
    )
    .unwrap();
    (config, marker)
}

#[tokio::test]
async fn an_explicit_profile_beats_exported_keys_and_aws_profile_does_not() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (config, marker) = profile_home(dir.path());

    // The harness exports AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    let out = moto
        .evrelay()
        .env("AWS_CONFIG_FILE", &config)
        .args(["--profile", "prod", "--stack", "none", "status"])
        .output()
        .unwrap();
    assert!(
        marker.exists(),
        "--profile prod did not use its credential_process: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("stack `none` not found"),
        "{}",
        stderr(&out)
    );

    std::fs::remove_file(&marker).unwrap();
    let out = moto
        .evrelay()
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_PROFILE", "prod")
        .args(["--stack", "none", "status"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    assert!(
        !marker.exists(),
        "AWS_PROFILE is not explicit: the exported keys win, as in the AWS CLI"
    );
}

#[tokio::test]
async fn an_unknown_profile_is_a_usage_error_naming_it_and_the_files() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (config, marker) = profile_home(dir.path());
    let out = moto
        .evrelay()
        .env("AWS_CONFIG_FILE", &config)
        .args(["--profile", "nope", "status"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--profile nope: no such profile in"), "{err}");
    assert!(err.contains(&config.display().to_string()), "{err}");
    assert!(err.contains("defined: prod"), "{err}");
    assert!(!marker.exists());
}

#[tokio::test]
async fn an_sso_profile_without_a_live_token_says_to_log_in() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    // No token in ~/.aws/sso/cache (HOME is the temp dir): as after the token expired.
    std::fs::write(
        &config,
        "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    let out = moto
        .evrelay()
        .env("AWS_CONFIG_FILE", &config)
        .env("HOME", dir.path())
        .args(["--profile", "corp", "status"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("profile `corp`: no credentials from its SSO session"),
        "{err}"
    );
    assert!(
        err.contains("hint: run `aws sso login --profile corp`"),
        "{err}"
    );
}
