//! `evrelay top` off a terminal: one line per refresh, the verdict first, until Ctrl-C (a
//! normal end of watching, exit 0). The emulator's CloudWatch gets AWS's metrics from the
//! test, as in `health.rs`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::Moto;
use crate::health::{datum, publish};
use crate::ops_fixtures::spawn_evrelay_with;
use crate::stack::net::{deploy_args, seed};

/// The next stdout line that contains `text` (each line read is kept in `seen`).
fn wait_for(rx: &mpsc::Receiver<String>, child: &mut Child, text: &str, seen: &mut String) {
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(text) {
                    return;
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!("top never printed {text:?}; it printed:\n{seen}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn top_prints_a_line_per_refresh_and_follows_the_relay_into_failure() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "topped";
    let out = moto
        .evrelay()
        .args(deploy_args(&net, stack))
        .args(["--yes", "--generate-secret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let home = tempfile::tempdir().unwrap();
    let mut child = spawn_evrelay_with(
        &moto,
        home.path(),
        &["--stack", stack, "top", "--interval", "1s"],
        Stdio::piped(),
    );
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    wait_for(&rx, &mut child, "no traffic yet", &mut seen);

    // The relay starts failing: the next refreshes say so, with the counts.
    let function = [("FunctionName", "topped-relay")];
    publish(
        &moto,
        "AWS/Lambda",
        vec![
            datum("Invocations", &function, 1, 4.0),
            datum("Errors", &function, 1, 4.0),
        ],
    )
    .await;
    wait_for(&rx, &mut child, "failing: 4 errors", &mut seen);
    assert!(seen.contains("errors 4"), "{seen}");

    // Ctrl-C ends the watch normally.
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "{seen}");
}
