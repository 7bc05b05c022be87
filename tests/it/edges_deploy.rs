//! deploy at its edges, as an operator meets them: Ctrl-C while a create call is in flight
//! (a proxy holds its answer), a closed stdout, no terminal, and Ctrl-C at the key prompt.
//! Each ends with the account as it was (but for what the message names) and the documented
//! exit code.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::Moto;
use crate::hold_proxy::{interrupt_while_held, HoldProxy};
use crate::safety::{account_state, deploy_args};
use crate::safety_interrupt::spawn;
use crate::stack::net::{seed, Net};

/// What is new in the account since `before`, leaving out what ListStacks and
/// DescribeVpcEndpoints keep of deleted things.
fn left_since(before: &str, after: &str) -> Vec<String> {
    after
        .lines()
        .filter(|l| !before.contains(*l))
        .filter(|l| !(l.starts_with("stack ") && l.ends_with(" DELETE_COMPLETE")))
        .filter(|l| !(l.starts_with("endpoint ") && l.ends_with(" deleted")))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_a_create_call_is_in_flight_waits_for_it_and_removes_what_it_made() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    for (i, call) in [
        "CreateChangeSet",
        "CreateSecurityGroup",
        "CreateVpcEndpoint",
    ]
    .into_iter()
    .enumerate()
    {
        let before = account_state(&net).await;
        let proxy = HoldProxy::start(&moto.endpoint, Some(call));
        let stack = format!("held{i}");
        let mut args = deploy_args(&net, &stack);
        args.extend(["--yes".into(), "--generate-secret".into()]);
        let child = spawn(&proxy.endpoint, home.path(), &args);
        let (out, err) = interrupt_while_held(child, &proxy, "was already sent: waiting up to");
        assert_eq!(out.status.code(), Some(1), "{call}: {err}");
        assert!(
            err.contains(&format!("{call} was already sent")),
            "{call}: {err}"
        );
        assert!(
            err.contains("removed what it had made: change set evrelay-"),
            "{call}: {err}"
        );
        assert!(
            err.contains(&format!("the empty stack {stack}")),
            "{call}: {err}"
        );
        assert!(!err.contains("could not remove"), "{call}: {err}");
        if call != "CreateChangeSet" {
            assert!(
                err.contains("the endpoint security groups sg-"),
                "{call}: {err}"
            );
        }
        if call == "CreateVpcEndpoint" {
            assert!(err.contains("the VPC endpoints vpce-"), "{call}: {err}");
        }
        let left = left_since(&before, &account_state(&net).await);
        assert!(left.is_empty(), "{call}: left behind {left:?}\n{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_execute_change_set_is_in_flight_says_the_change_goes_on_and_saves_the_settings(
) {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let proxy = HoldProxy::start(&moto.endpoint, Some("ExecuteChangeSet"));
    let mut args = deploy_args(&net, "goes-on");
    args.extend(["--yes".into(), "--generate-secret".into()]);
    let child = spawn(&proxy.endpoint, home.path(), &args);
    let (out, err) = interrupt_while_held(child, &proxy, "ExecuteChangeSet was already sent");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Executing change set evrelay-"),
        "the wait shows itself: {err}"
    );
    assert!(
        err.contains("the create of stack `goes-on` goes on in AWS"),
        "{err}"
    );
    assert!(
        err.contains("evrelay status --watch --stack goes-on"),
        "{err}"
    );
    assert!(!err.contains("removed what it had made"), "{err}");
    let config = std::fs::read_to_string(home.path().join("evrelay.toml")).unwrap_or_default();
    assert!(config.contains("[stacks.goes-on."), "{config}\n{err}");
    assert!(net.stack_exists("goes-on").await, "the change went on");
    assert_eq!(
        net.live_endpoints().await.len(),
        1,
        "its endpoint is kept: {err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_in_deploy_execute_while_the_endpoint_is_being_made_keeps_the_kept_change_set() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let name = keep_change_set(&moto, &net, home.path(), "kept");
    let before = account_state(&net).await;
    let proxy = HoldProxy::start(&moto.endpoint, Some("CreateVpcEndpoint"));
    let execute: Vec<String> = ["--stack", "kept", "deploy", "--execute", &name, "--yes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let child = spawn(&proxy.endpoint, home.path(), &execute);
    let (out, err) = interrupt_while_held(child, &proxy, "was already sent: waiting up to");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the VPC endpoints vpce-"), "{err}");
    assert!(err.contains("the endpoint security groups sg-"), "{err}");
    let left = left_since(&before, &account_state(&net).await);
    assert!(left.is_empty(), "left behind {left:?}\n{err}");
    assert!(
        before.contains("REVIEW_IN_PROGRESS"),
        "the kept change set's stack stays"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_or_yes_deploy_refuses_before_any_aws_call() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let before = account_state(&net).await;
    let proxy = HoldProxy::start(&moto.endpoint, None);
    let mut args = deploy_args(&net, "noterm");
    args.push("--generate-secret".into());
    let out = spawn(&proxy.endpoint, home.path(), &args)
        .wait_with_output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.lines().count() <= 3, "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    assert!(
        proxy.calls().is_empty(),
        "no AWS call at all: {:?}",
        proxy.calls()
    );
    assert_eq!(account_state(&net).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_closes_stdout_early_never_skips_saving_the_settings() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let mut args = deploy_args(&net, "headed");
    args.extend(["--yes".into(), "--generate-secret".into()]);
    // `evrelay deploy … | head -0`: the reader is gone before the first line.
    let mut child = spawn(&moto.endpoint, home.path(), &args);
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let config = std::fs::read_to_string(home.path().join("evrelay.toml")).unwrap_or_default();
    assert!(config.contains("[stacks.headed."), "{config}\n{err}");
    assert!(err.contains("Saved these settings"), "{err}");
    assert!(net.stack_exists("headed").await);
}

/// Ctrl-C typed at the hidden key prompt (on a pseudo-terminal from util-linux `script`).
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_at_the_key_prompt_cancels_with_exit_1_after_naming_the_account() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
    let line = std::iter::once(
        assert_cmd::cargo::cargo_bin("evrelay")
            .display()
            .to_string(),
    )
    .chain(deploy_args(&net, "keyed"))
    .map(|a| quote(&a))
    .collect::<Vec<_>>()
    .join(" ");
    let mut cmd = StdCommand::new("script");
    crate::harness::isolate(&mut cmd, home.path());
    let mut child = cmd
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", crate::harness::REGION)
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("this test needs util-linux `script` to give evrelay a terminal");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        let mut r = BufReader::new(stdout);
        let mut chunk = Vec::new();
        // The prompt has no newline: read up to its colon.
        while r.read_until(b':', &mut chunk).unwrap_or(0) > 0 {
            let text = String::from_utf8_lossy(&chunk).to_string();
            all.push_str(&text);
            let _ = tx.send(all.clone());
            chunk.clear();
        }
        all
    });
    loop {
        let seen = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("evrelay never asked for the key");
        if seen.contains("API key for the endpoint:") {
            break;
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let screen = reader.join().unwrap();
    assert_eq!(status.code(), Some(1), "{screen}");
    let account = screen
        .find("account 123456789012, us-east-1 needs the endpoint's API key")
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        account < screen.find("API key for the endpoint:").unwrap(),
        "{screen}"
    );
    assert!(
        !screen.contains("hint: pass --secret-stdin"),
        "no usage hint: {screen}"
    );
    assert!(!net.stack_exists("keyed").await);
}

/// Two deploys of one new stack: the second starts while the first is making its endpoint
/// (its change set is under review on the new stack). The second says another deploy is
/// running and touches nothing; the first finishes. One stack, one clear error.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_deploy_of_a_new_stack_while_the_first_runs_says_so_and_leaves_it_alone() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let proxy = HoldProxy::start(&moto.endpoint, Some("CreateVpcEndpoint"));
    let mut args = deploy_args(&net, "twice");
    args.extend(["--yes".into(), "--generate-secret".into()]);
    let first = spawn(&proxy.endpoint, home.path(), &args);
    proxy.wait_held();
    let second = spawn(&moto.endpoint, home.path(), &args)
        .wait_with_output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr).to_string();
    proxy.release();
    let first = first.wait_with_output().unwrap();
    let first_err = String::from_utf8_lossy(&first.stderr).to_string();
    assert_eq!(
        first.status.code(),
        Some(0),
        "the first goes on: {first_err}"
    );
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("another deploy of stack `twice` is running"),
        "{err}"
    );
    assert!(
        err.contains("evrelay status --watch --stack twice"),
        "{err}"
    );
    assert!(
        err.lines().filter(|l| l.starts_with("error:")).count() == 1,
        "{err}"
    );
    let stacks = net.cfn.list_stacks().send().await.unwrap();
    let live: Vec<_> = stacks
        .stack_summaries()
        .iter()
        .filter(|s| s.stack_name() == Some("twice"))
        .map(|s| s.stack_status().unwrap().as_str().to_string())
        .collect();
    assert_eq!(
        live,
        ["CREATE_COMPLETE"],
        "exactly one stack, never deleted"
    );
}

/// The other order: the second deploy read "no such stack" (its answer held) before the first
/// created it; its CREATE change set is then refused, and it says another deploy got there.
#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_that_finds_its_new_stack_made_by_another_meanwhile_says_so() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let proxy = HoldProxy::start(&moto.endpoint, Some("DescribeStacks"));
    let mut args = deploy_args(&net, "raced");
    args.extend(["--yes".into(), "--generate-secret".into()]);
    let late = spawn(&proxy.endpoint, home.path(), &args);
    proxy.wait_held();
    let first = spawn(&moto.endpoint, home.path(), &args)
        .wait_with_output()
        .unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = account_state(&net).await;
    proxy.release();
    let late = late.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&late.stderr).to_string();
    assert_eq!(late.status.code(), Some(1), "{err}");
    assert!(
        err.contains("another deploy of stack `raced` is running"),
        "{err}"
    );
    let left = left_since(&before, &account_state(&net).await);
    assert!(left.is_empty(), "left behind {left:?}\n{err}");
    assert!(net.stack_exists("raced").await);
}

/// `deploy --execute NAME` with its ExecuteChangeSet in flight: the change goes on, the
/// operator is told how to follow it, and the kept change set's settings are saved.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_a_kept_change_set_s_execute_is_in_flight_says_the_change_goes_on() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let name = keep_change_set(&moto, &net, home.path(), "kept-run");
    let proxy = HoldProxy::start(&moto.endpoint, Some("ExecuteChangeSet"));
    let execute: Vec<String> = ["--stack", "kept-run", "deploy", "--execute", &name, "--yes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let child = spawn(&proxy.endpoint, home.path(), &execute);
    let (out, err) = interrupt_while_held(child, &proxy, "ExecuteChangeSet was already sent");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("goes on in AWS"), "{err}");
    assert!(
        err.contains("evrelay status --watch --stack kept-run"),
        "{err}"
    );
    let config = std::fs::read_to_string(home.path().join("evrelay.toml")).unwrap_or_default();
    assert!(config.contains("[stacks.kept-run."), "{config}\n{err}");
    assert!(net.stack_exists("kept-run").await);
}

/// `deploy --no-execute` of a new stack: the name of the change set it kept for review.
fn keep_change_set(moto: &Moto, net: &Net, home: &std::path::Path, stack: &str) -> String {
    let mut args = deploy_args(net, stack);
    args.extend(["--no-execute".into(), "--generate-secret".into()]);
    let out = spawn(&moto.endpoint, home, &args)
        .wait_with_output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err.split_whitespace()
        .find(|w| w.starts_with("evrelay-"))
        .expect("the kept change set's name")
        .to_string()
}
