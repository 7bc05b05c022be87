//! evrelay.toml: a deploy remembers its settings (never the key), and the next command needs no
//! repeated flags; a bad file is refused, naming the key and its line, before any AWS call.

use crate::harness::Moto;
use crate::safety::{account_state, deploy_args};
use crate::stack::net::seed;

const KEY: &str = "cfg-key-5d1e0a77";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_remembers_its_settings_and_never_the_key() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "cfg"))
        .args(["--read-timeout", "7", "--secret-stdin", "--yes"])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Saved these settings to"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(moto.config_file()).unwrap();
    assert!(text.contains("[stacks.cfg.us-east-1]"), "{text}");
    assert!(
        text.contains(&net.private_a) && text.contains(&net.alb_url),
        "{text}"
    );
    assert!(text.contains("read_timeout = 7"), "{text}");
    assert!(!text.contains(KEY), "the key is never written: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_file_alone_deploys_a_new_relay() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // No --stack and no network flags: the file names the stack and its settings.
    std::fs::write(
        moto.config_file(),
        format!(
            "stack = \"fromfile\"\n\n[stacks.fromfile.us-east-1]\nsubnets = [\"{}\", \"{}\"]\nsecurity_groups = [\"{}\"]\nurl = \"{}\"\n",
            net.private_a, net.private_b, net.relay_sg, net.alb_url
        ),
    )
    .unwrap();
    let out = moto
        .evrelay()
        .args(["deploy", "--secret-stdin", "--yes"])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(net.stack_exists("fromfile").await);
    // Every other command finds the same stack without --stack.
    let status = moto
        .evrelay()
        .args(["status", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    assert!(String::from_utf8_lossy(&status.stdout).contains("fromfile"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_config_file_is_one_line_exit_2_and_creates_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let before = account_state(&net).await;
    for (file, names) in [
        (
            "[stacks.x.us-east-1]\nsubnet = [\"subnet-1\"]\n",
            ["line 2", "subnet"],
        ),
        (
            "[stacks.x.us-east-1]\nread_timeout = \"ten\"\n",
            ["line 2", "read_timeout"],
        ),
        (
            "[stacks.x.us-east-1]\ntags = { \"evrelay:managed\" = \"no\" }\n",
            ["tags", "evrelay:"],
        ),
    ] {
        std::fs::write(moto.config_file(), file).unwrap();
        let out = moto
            .evrelay()
            .args(deploy_args(&net, "x"))
            .args(["--generate-secret", "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}: {}", stderr(&out));
        let err = stderr(&out);
        let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(error_lines.len(), 1, "{err}");
        for name in names {
            assert!(error_lines[0].contains(name), "{file}: {err}");
        }
        assert!(err.lines().any(|l| l.starts_with("hint:")), "{err}");
    }
    // A --config that names no file is refused too (only a deploy may create it).
    let missing = moto.config_file().with_file_name("nope.toml");
    let out = moto
        .evrelay()
        .args(["--config", missing.to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(account_state(&net).await, before, "nothing was created");
}
