//! The command line itself: help, exit codes, errors that need no AWS.

use predicates::prelude::*;

use crate::harness::{bare_evrelay, stderr_of_exit, Moto};

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

/// A loopback server that answers every request with `status` and an empty body (no AWS error
/// in it), as a proxy or a broken emulator would. Returns its URL.
fn empty_answers(status: &str) -> String {
    broken_answers(status, "", "")
}

/// As [`empty_answers`], with extra header lines (each ending in `\r\n`) and a body.
fn broken_answers(status: &str, headers: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nx-amzn-requestid: req-empty-1\r\n{headers}Connection: close\r\n\r\n{body}",
        body.len()
    );
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn an_answer_without_an_aws_error_names_the_status_and_the_endpoint() {
    let home = tempfile::tempdir().unwrap();
    let url = empty_answers("500 Internal Server Error");
    let out = bare_evrelay(home.path())
        .args(["-v", "--region", "us-east-1", "--endpoint-url", &url])
        .args(["discover", "--vpc-id", "vpc-1"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 1);
    let first = stderr.lines().next().unwrap();
    assert!(
        first.contains("HTTP 500") && first.contains(&url) && !first.contains("Unknown"),
        "{stderr}"
    );
    // -v adds what AWS support asks for.
    assert!(stderr.contains("request id req-empty-1"), "{stderr}");
}

#[test]
fn ctrl_c_where_no_command_handles_it_is_a_cancellation_exit_1() {
    use std::io::Read;
    // An endpoint that takes the request and never answers: evrelay waits inside its first
    // AWS call, with nothing of its own to tidy up.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let home = tempfile::tempdir().unwrap();
    let child = crate::harness::isolated(home.path())
        .args(["--region", "us-east-1", "--endpoint-url", &url])
        .args(["discover", "--vpc-id", "vpc-1"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The readiness signal: the request has arrived.
    let (mut conn, _) = listener.accept().unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "evrelay closed the connection before sending a request"
        );
        head.extend_from_slice(&buf[..n]);
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = stderr_of_exit(&out, 1);
    assert!(stderr.contains("interrupted"), "{stderr}");
}

/// An `AWS_PROFILE` the config files do not define is refused before any call, even with keys
/// exported: botocore raises ProfileNotFound there too, so a typo never runs against whatever
/// account the exported keys belong to.
#[test]
fn a_missing_aws_profile_is_refused_even_with_keys_exported() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config"),
        "[profile prod]\nregion = us-east-1\n",
    )
    .unwrap();
    let out = bare_evrelay(home.path())
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
        ])
        .args(["discover", "--vpc-id", "vpc-1"])
        .env("AWS_PROFILE", "prdo")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 2);
    let first = stderr.lines().next().unwrap();
    assert!(
        first.contains("AWS_PROFILE=prdo: no such profile"),
        "{stderr}"
    );
    assert!(stderr.contains("defined: prod"), "{stderr}");
    // Refused before the first call: nothing tried the (unreachable) endpoint.
    assert!(!stderr.contains("could not reach"), "{stderr}");
}

/// A profile that exists but holds no credentials: the hint names that profile and how to give
/// it credentials, not "set AWS_PROFILE" to someone who did.
#[test]
fn a_profile_without_credentials_is_named_in_the_hint() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config"),
        "[profile dev]\nregion = us-east-1\n",
    )
    .unwrap();
    for (how, named) in [
        (vec!["--profile", "dev"], "--profile dev"),
        (vec![], "AWS_PROFILE=dev"),
    ] {
        let mut cmd = bare_evrelay(home.path());
        if how.is_empty() {
            cmd.env("AWS_PROFILE", "dev");
        }
        let out = cmd
            .args(how)
            .args(["--endpoint-url", "http://127.0.0.1:9"])
            .args(["discover", "--vpc-id", "vpc-1"])
            .output()
            .unwrap();
        let stderr = stderr_of_exit(&out, 1);
        assert!(
            stderr.contains(&format!("{named} has no usable credentials")),
            "{stderr}"
        );
        assert!(stderr.contains("aws configure --profile dev"), "{stderr}");
        assert!(!stderr.contains("set AWS_PROFILE"), "{stderr}");
    }
}

/// A mistyped region is refused before any call, with the nearest real one; today's SDK would
/// otherwise resolve it to an endpoint that does not exist and blame the network.
#[test]
fn a_mistyped_region_is_a_usage_error_with_the_nearest_name() {
    let home = tempfile::tempdir().unwrap();
    for region in ["us-east-9", "US-EAST-1"] {
        let out = bare_evrelay(home.path())
            .args(["--region", region, "discover", "--vpc-id", "vpc-1"])
            .env("AWS_ACCESS_KEY_ID", "x")
            .env("AWS_SECRET_ACCESS_KEY", "y")
            .output()
            .unwrap();
        let stderr = stderr_of_exit(&out, 2);
        assert!(
            stderr.contains(&format!("region `{region}` is not an AWS region")),
            "{stderr}"
        );
        assert!(stderr.contains("did you mean us-east-1?"), "{stderr}");
        assert!(!stderr.contains("could not reach"), "{stderr}");
    }
}

/// A service (or a proxy in front of it) that sends the error code in `X-Amzn-ErrorType` and a
/// body nobody can parse: the one line names that code, not "without an AWS error".
#[test]
fn an_error_type_header_names_the_code_when_the_body_cannot() {
    let home = tempfile::tempdir().unwrap();
    let url = broken_answers(
        "400 Bad Request",
        "X-Amzn-ErrorType: UnauthorizedOperation:http://internal.amazon.com/coral/\r\n",
        "<html>gateway</html",
    );
    let out = bare_evrelay(home.path())
        .args(["--region", "us-east-1", "--endpoint-url", &url])
        .args(["discover", "--vpc-id", "vpc-1"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 1);
    let first = stderr.lines().next().unwrap();
    assert!(
        first.contains("failed: UnauthorizedOperation (HTTP 400"),
        "{stderr}"
    );
    assert!(!stderr.contains("without an AWS error"), "{stderr}");
    // The code's own hint: the permission, not the endpoint.
    assert!(stderr.contains("lack this permission"), "{stderr}");
}

/// `--skip-check` takes only the checks that can be skipped, and names them when it is wrong.
#[test]
fn an_unknown_skip_check_is_a_usage_error_listing_the_names() {
    let home = tempfile::tempdir().unwrap();
    let out = bare_evrelay(home.path())
        .args(["deploy", "--skip-check", "security-groups"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 2);
    assert!(
        stderr.contains("no check named `security-groups`"),
        "{stderr}"
    );
    for name in [
        "target-egress",
        "load-balancer-reach",
        "endpoint-reach",
        "eventbridge-egress",
    ] {
        assert!(stderr.contains(name), "{stderr}");
    }
}
