//! `evrelay policy` cannot fall behind the code: the tutorial's commands run against an
//! emulator that records the IAM action of every request (tests/emulator/strict/recording.py),
//! and every action a command called must be in its job's policy.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::{destination_record, event, put_logs, send_message, spawn_evrelay_with};
use crate::stack::net::{deploy_args, seed};

/// The recorded actions, read command by command: whatever was appended since the last read
/// belongs to the command that just ran (the fixtures' own calls are read away before it).
struct Recorder {
    path: PathBuf,
    seen: usize,
    by_job: BTreeMap<&'static str, BTreeMap<String, BTreeSet<String>>>,
}

impl Recorder {
    fn new(path: &Path) -> Recorder {
        Recorder {
            path: path.to_path_buf(),
            seen: 0,
            by_job: BTreeMap::new(),
        }
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Forget what the test's own set-up called.
    fn skip(&mut self) {
        self.seen = self.lines().len();
    }

    /// What `command` called since the last read, under `job`.
    fn take(&mut self, job: &'static str, command: &str) -> BTreeSet<String> {
        let lines = self.lines();
        let new: BTreeSet<String> = lines[self.seen..].iter().cloned().collect();
        self.seen = lines.len();
        assert!(!new.is_empty(), "`{command}` made no AWS call at all?");
        self.by_job
            .entry(job)
            .or_default()
            .entry(command.to_string())
            .or_default()
            .extend(new.iter().cloned());
        new
    }
}

/// Runs `evrelay ARGS` to completion, asserting it succeeded, and files its calls under `job`.
fn run(moto: &Moto, rec: &mut Recorder, job: &'static str, args: &[&str]) -> BTreeSet<String> {
    rec.skip();
    let out = moto.evrelay().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "evrelay {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    rec.take(job, &args.join(" "))
}

/// The actions `evrelay policy JOB --output json` allows.
fn policy_actions(moto: &Moto, job: &str) -> BTreeSet<String> {
    let out = moto
        .evrelay()
        .args(["--stack", "tut", "--output", "json", "policy", job])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = stdout_json(&out);
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_action_the_tutorial_calls_is_in_its_jobs_policy() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_recording(&dir.path().join("actions.txt"));
    let mut rec = Recorder::new(&dir.path().join("actions.txt"));
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    let stack = "tut";

    // Find the network, deploy.
    run(
        &moto,
        &mut rec,
        "deploy",
        &["discover", "--cluster", "events"],
    );
    let mut deploy: Vec<String> = deploy_args(&net, stack);
    deploy.extend(["--yes", "--secret-env", "RELAY_KEY"].map(String::from));
    rec.skip();
    let out = moto
        .evrelay()
        .args(&deploy)
        .env("RELAY_KEY", "k-policy-test")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let deployed = rec.take("deploy", "deploy");
    assert!(
        deployed.contains("cloudformation:ExecuteChangeSet"),
        "{deployed:?}"
    );
    assert!(deployed.contains("ec2:CreateVpcEndpoint"), "{deployed:?}");
    run(
        &moto,
        &mut rec,
        "deploy",
        &["--stack", stack, "deploy", "--no-execute"],
    );

    // moto cannot invoke Lambda (PutEvents to a rule with a Lambda target fails with HTTP
    // 500): the relay's rule keeps no target, so `send` reaches the bus and stops there.
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let targets = events
        .list_targets_by_rule()
        .rule(format!("{stack}-inbound"))
        .event_bus_name(format!("{stack}-bus"))
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = targets
        .targets()
        .iter()
        .map(|t| t.id().to_string())
        .collect();
    events
        .remove_targets()
        .rule(format!("{stack}-inbound"))
        .event_bus_name(format!("{stack}-bus"))
        .set_ids(Some(ids))
        .send()
        .await
        .unwrap();

    // Operate: status, send, logs (history and live), top, the DLQ's four commands.
    run(&moto, &mut rec, "operate", &["--stack", stack, "status"]);
    run(
        &moto,
        &mut rec,
        "operate",
        &["--stack", stack, "send", "--count", "3"],
    );
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let now = crate::ops_fixtures::now_ms();
    put_logs(
        &logs,
        &format!("/aws/lambda/{stack}-relay"),
        "s1",
        &[(now - 60_000, "START RequestId: r-1")],
    )
    .await;
    run(
        &moto,
        &mut rec,
        "operate",
        &["--stack", stack, "logs", "--since", "10m"],
    );
    follow_logs_until_history(&moto, &mut rec, dir.path());
    top_until_its_first_refresh(&moto, &mut rec, dir.path());

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let dlq = sqs
        .get_queue_url()
        .queue_name(format!("{stack}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let failed = || destination_record(Some(event("ev-1", "e-1"))).to_string();
    send_message(&sqs, &dlq, &failed(), None).await;
    run(
        &moto,
        &mut rec,
        "operate",
        &["--stack", stack, "dlq", "peek"],
    );
    let saved = dir.path().join("failed.jsonl");
    run(
        &moto,
        &mut rec,
        "operate",
        &[
            "--stack",
            stack,
            "dlq",
            "drain",
            "--out",
            saved.to_str().unwrap(),
        ],
    );
    send_message(&sqs, &dlq, &failed(), None).await;
    run(
        &moto,
        &mut rec,
        "operate",
        &["--stack", stack, "--yes", "dlq", "redrive"],
    );
    send_message(&sqs, &dlq, &failed(), None).await;
    run(
        &moto,
        &mut rec,
        "operate",
        &["--stack", stack, "--yes", "dlq", "purge"],
    );

    // Tear down.
    let destroyed = run(
        &moto,
        &mut rec,
        "destroy",
        &["--stack", stack, "--yes", "destroy"],
    );
    assert!(
        destroyed.contains("cloudformation:DeleteStack"),
        "{destroyed:?}"
    );

    let mut missing = Vec::new();
    for (job, commands) in &rec.by_job {
        let allowed = policy_actions(&moto, job);
        for (command, actions) in commands {
            for action in actions.difference(&allowed) {
                missing.push(format!("{job}: `evrelay {command}` called {action}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "actions missing from `evrelay policy` (src/model/policy/jobs.rs):\n  {}",
        missing.join("\n  ")
    );
}

/// `logs --follow` until it prints the history, then Ctrl-C (which ends a follow normally;
/// evrelay listens for it before its first line). On the emulator the live tail never reaches
/// the recorder: the SDK sends StartLiveTail to the host-prefixed `streaming-127.0.0.1`, which
/// does not resolve, and evrelay falls back to polling. `logs:StartLiveTail` is held in the
/// operate policy by the unit test `the_stacks_own_resources_are_named_not_wildcarded`
/// (src/model/policy/tests.rs), not by this recording.
fn follow_logs_until_history(moto: &Moto, rec: &mut Recorder, home: &Path) {
    rec.skip();
    let args = ["--stack", "tut", "logs", "--follow"];
    let mut child = spawn_evrelay_with(moto, home, &args, Stdio::piped());
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "`logs --follow` printed no history"
        );
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.contains("START RequestId: r-1") => break,
            _ => {}
        }
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    rec.take("operate", &args.join(" "));
}

/// `top` refreshes until Ctrl-C: its calls are those of its first refresh, stopped once the
/// refresh's line is printed.
fn top_until_its_first_refresh(moto: &Moto, rec: &mut Recorder, home: &Path) {
    rec.skip();
    let args = ["--stack", "tut", "--output", "json", "top"];
    let mut child = spawn_evrelay_with(moto, home, &args, Stdio::piped());
    let first = BufReader::new(child.stdout.take().unwrap()).lines().next();
    assert!(first.is_some_and(|l| l.is_ok()), "`top` printed no refresh");
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    rec.take("operate", &args.join(" "));
}

#[test]
fn a_bad_job_is_a_usage_error_naming_the_jobs() {
    let home = tempfile::tempdir().unwrap();
    let out = crate::harness::bare_evrelay(home.path())
        .args(["policy", "frobnicate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'frobnicate'"), "{err}");
    assert!(
        err.contains("deploy, operate, destroy, stack-resources, all"),
        "{err}"
    );
}

#[test]
fn the_table_output_is_the_same_json_pretty_and_needs_no_aws() {
    // No credentials, no region, no emulator: the policy is made from names alone.
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = crate::harness::bare_evrelay(home.path())
            .args(["--stack", "orders"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        out
    };
    let json = run(&["--output", "json", "policy", "destroy"]);
    let table = run(&["policy", "destroy"]);
    assert_eq!(String::from_utf8_lossy(&json.stdout).lines().count(), 1);
    assert!(String::from_utf8_lossy(&table.stdout).lines().count() > 10);
    assert_eq!(stdout_json(&json), stdout_json(&table));
    assert!(String::from_utf8_lossy(&table.stderr).contains("no region set"));
    let doc = stdout_json(&json);
    assert_eq!(doc["Statement"][0]["Sid"], "DestroyAnyResource");
}
