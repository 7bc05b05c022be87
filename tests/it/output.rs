//! The printer's rules, through the real binary: a stdout its reader closed ends every command
//! quietly with one exit code; colour follows --no-color / NO_COLOR / CLICOLOR_FORCE in
//! evrelay's text and clap's alike; --quiet leaves only data and errors; tables fit COLUMNS.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Output, Stdio};

use crate::harness::{bare_evrelay, isolated, Moto};
use crate::stack::net::{seed, Net};

const ESC: u8 = 0x1b;

fn deploy_args(net: &Net, stack: &str) -> Vec<String> {
    let mut args = crate::stack::net::deploy_args(net, stack);
    args.push("--generate-secret".into());
    args
}

/// Runs with stdout a pipe whose reader has gone before evrelay writes a byte.
fn with_closed_stdout(mut cmd: StdCommand) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn evrelay");
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

fn assert_quiet_exit(what: &str, out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Notes a command printed before the reader left are fine; an error about it is not.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("error") && !stderr.to_lowercase().contains("broken pipe"),
        "{what} must end quietly, got:\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_ends_every_command_quietly_with_0() {
    let home = tempfile::tempdir().unwrap();
    let mut template = isolated(home.path());
    template.arg("template");
    assert_quiet_exit("template", &with_closed_stdout(template));

    let moto = Moto::start();
    let net = seed(&moto).await;
    let mut discover = moto.evrelay_std();
    discover.args(["discover", "--vpc-id", &net.vpc]);
    assert_quiet_exit("discover", &with_closed_stdout(discover));

    // The JSON event stream of a real deploy, read the way `| head -1` reads it: one line,
    // then the reader goes. Whatever evrelay writes after that finds the pipe closed.
    let mut args = deploy_args(&net, "pipe");
    args.extend(["--yes", "--output", "json"].map(String::from));
    let mut child = moto
        .evrelay_std()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'), "not a JSON line: {first}");
    let out = child.wait_with_output().unwrap();
    assert_quiet_exit("deploy --output json | head -1", &out);

    // And with the reader gone before the first line.
    let mut args = deploy_args(&net, "pipe2");
    args.extend(["--yes", "--output", "json"].map(String::from));
    let mut deploy = moto.evrelay_std();
    deploy.args(&args);
    assert_quiet_exit("deploy --output json", &with_closed_stdout(deploy));
}

#[test]
fn colour_follows_no_color_and_the_terminal_in_evrelays_and_clap_s_messages() {
    let home = tempfile::tempdir().unwrap();
    // Off a terminal CLICOLOR_FORCE asks for colour: the baseline that shows the test can fail.
    let run = |args: &[&str], no_color_env: bool| {
        let mut cmd = bare_evrelay(home.path());
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        if no_color_env {
            cmd.env("NO_COLOR", "1");
        }
        cmd.args(args).output().unwrap()
    };
    // clap's usage error, and evrelay's own (no region: a usage error evrelay raises).
    for args in [&["--output", "xml", "status"][..], &["status"][..]] {
        let forced = run(args, false);
        assert!(forced.stderr.contains(&ESC), "{args:?}: expected colour");
        let mut flagged: Vec<&str> = vec!["--no-color"];
        flagged.extend_from_slice(args);
        for out in [run(&flagged, false), run(args, true)] {
            assert_eq!(out.status.code(), Some(2));
            assert!(
                !out.stderr.contains(&ESC) && !out.stdout.contains(&ESC),
                "{args:?}: colour despite --no-color / NO_COLOR:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // A pipe without CLICOLOR_FORCE gets no colour either.
    let out = bare_evrelay(home.path())
        .env_remove("NO_COLOR")
        .arg("status")
        .output()
        .unwrap();
    assert!(!out.stderr.contains(&ESC));
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_leaves_only_data_and_errors() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let mut args = deploy_args(&net, "hush");
    args.push("--dry-run".into());
    let loud = moto.evrelay().args(&args).output().unwrap();
    assert_eq!(loud.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&loud.stderr).contains("Dry run"));

    let quiet = moto.evrelay().arg("-q").args(&args).output().unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        quiet.stderr.is_empty(),
        "notes under --quiet:\n{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert_eq!(quiet.stdout, loud.stdout, "--quiet must keep the data");

    // Errors still show.
    let out = moto
        .evrelay()
        .args(["-q", "discover", "--vpc-id", "vpc-0123456789abcdef0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_wrap_to_the_width() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk().await);
    let url = sqs
        .create_queue()
        .queue_name("wide-dlq")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let body = "not an event: ".to_string() + &"a long reason ".repeat(12);
    sqs.send_message()
        .queue_url(&url)
        .message_body(body)
        .send()
        .await
        .unwrap();

    let peek = |columns: Option<&str>| {
        let mut cmd = moto.evrelay();
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd
            .args(["--stack", "wide", "dlq", "peek"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let widest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let whole = peek(None);
    assert!(widest(&whole) > 80, "a pipe gets whole lines:\n{whole}");
    let fitted = peek(Some("80"));
    assert!(widest(&fitted) <= 80, "wider than COLUMNS=80:\n{fitted}");
    assert!(fitted.lines().count() > whole.lines().count(), "{fitted}");
}

/// The tokens (ids, ARNs, URLs, UUIDs, names with separators) of a table printed whole.
fn tokens(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.len() >= 8 && evrelay::printer::table::is_token(w))
        .map(|w| {
            w.trim_matches(|c: char| "(),.;`'\"".contains(c))
                .to_string()
        })
        .collect()
}

/// Runs `args` piped (whole lines) and at COLUMNS=80: every token of the first is whole on
/// one line of the second, no line of which ends in a space.
fn assert_tokens_survive_80_columns(moto: &Moto, args: &[&str]) {
    let run = |columns: Option<&str>| {
        let mut cmd = moto.evrelay();
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let whole = run(None);
    let fitted = run(Some("80"));
    let expected = tokens(&whole);
    assert!(
        !expected.is_empty(),
        "{args:?}: no ids to check in\n{whole}"
    );
    for token in expected {
        assert!(
            fitted.lines().any(|l| l.contains(&token)),
            "{args:?} at 80 columns broke `{token}`:\n{fitted}"
        );
    }
    for text in [&whole, &fitted] {
        assert!(
            text.lines().all(|l| !l.ends_with(' ')),
            "{args:?}: a line ends in a space:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_80_columns_no_table_breaks_an_id() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    assert_tokens_survive_80_columns(&moto, &["discover", "--vpc-id", &net.vpc]);

    let c = crate::ops_fixtures::clients(&moto).await;
    let (url, _) = crate::ops_fixtures::create_queue(&c.sqs, "cols-dlq").await;
    for (id, detail_id) in [
        ("5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f", "order-1234-5678"),
        ("7d9e0f1a-2b3c-4d5e-8f90-a1b2c3d4e5f6", "order-8765-4321"),
    ] {
        let record = crate::ops_fixtures::destination_record(Some(crate::ops_fixtures::event(
            id, detail_id,
        )));
        crate::ops_fixtures::send_message(&c.sqs, &url, &record.to_string(), None).await;
    }
    assert_tokens_survive_80_columns(&moto, &["--stack", "cols", "dlq", "peek"]);
    assert_tokens_survive_80_columns(&moto, &["--stack", "cols", "dlq", "peek", "--wide"]);
    assert_tokens_survive_80_columns(
        &moto,
        &[
            "--stack",
            "cols",
            "dlq",
            "redrive",
            "--dry-run",
            "--bus",
            "default",
        ],
    );

    // send's table: one row per event, EventBridge's id and the producer's, both UUIDs that
    // differ from run to run: all six whole.
    crate::ops_fixtures::create_bus(&c.events, "cols-bus").await;
    let out = moto
        .evrelay()
        .env("COLUMNS", "80")
        .args(["--stack", "cols", "send", "--count", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let is_uuid = |w: &&str| {
        w.len() == 36
            && w.char_indices()
                .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'))
    };
    assert_eq!(text.split_whitespace().filter(is_uuid).count(), 6, "{text}");
    assert!(text.lines().all(|l| !l.ends_with(' ')), "{text}");
}
