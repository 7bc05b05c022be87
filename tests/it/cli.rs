//! The command line itself: help, exit codes, errors that need no AWS.

use predicates::prelude::*;

use crate::harness::{bare_evrelay, Moto};

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let out = bare_evrelay(home.path()).arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for cmd in [
        "discover",
        "deploy",
        "send",
        "logs",
        "dlq",
        "status",
        "destroy",
        "template",
        "completions",
    ] {
        assert!(text.contains(cmd), "--help lacks {cmd}");
    }
    assert!(text.contains("2  usage error"));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    bare_evrelay(home.path())
        .args(["--output", "xml", "status"])
        .assert()
        .code(2);
    bare_evrelay(home.path())
        .args(["--stack", "bad_name", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad_name"));
    bare_evrelay(home.path())
        .args(["--endpoint-url", "not a url", "status"])
        .assert()
        .code(2);
}

#[test]
fn no_region_is_one_line_naming_what_to_set() {
    let home = tempfile::tempdir().unwrap();
    bare_evrelay(home.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no AWS region").and(predicate::str::contains("--region")),
        );
}

#[test]
fn unreachable_endpoint_is_named() {
    let home = tempfile::tempdir().unwrap();
    // Port 9 (discard) on loopback: nothing listens there.
    bare_evrelay(home.path())
        .args([
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "discover",
            "--vpc-id",
            "vpc-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("could not reach")
                .and(predicate::str::contains("127.0.0.1:9")),
        );
}

#[test]
fn template_needs_no_aws_and_refuses_the_secret() {
    let home = tempfile::tempdir().unwrap();
    let out = bare_evrelay(home.path()).arg("template").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("ZipFile: |"));
    assert!(text.contains("def handler"));
    assert!(!text.contains("evrelay:relay-code"));
    bare_evrelay(home.path())
        .args(["template", "--param", "Secret=hunter2hunter2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hunter2").not());
    bare_evrelay(home.path())
        .args([
            "template",
            "--param",
            "TargetUrl=http://internal-x.elb.amazonaws.com/",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Default: \"http://internal-x.elb.amazonaws.com/\"",
        ));
}

#[test]
fn moto_harness_starts_and_evrelay_reaches_it() {
    let moto = Moto::start();
    // A VPC that does not exist is a run-time failure naming the value.
    moto.evrelay()
        .args(["discover", "--vpc-id", "vpc-0123456789abcdef0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vpc-0123456789abcdef0"));
}
