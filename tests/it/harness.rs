//! The emulator harness: each test gets its own `moto_server` on a free loopback port (or the
//! shared one named by `EVRELAY_TEST_ENDPOINT`), SDK clients for seeding fixtures, and an
//! `evrelay` command wired to it with dummy credentials and empty AWS config files, so a
//! developer's real profile is never touched. [`isolated`] is the one place that isolation is
//! written; every way of running evrelay in these tests goes through it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use aws_config::{BehaviorVersion, Region, SdkConfig};

pub const REGION: &str = "us-east-1";

pub struct Moto {
    pub endpoint: String,
    child: Option<Child>,
    home: tempfile::TempDir,
}

/// The command succeeded (exit 0); otherwise the test fails showing what evrelay said.
pub fn assert_ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The command ended with exit `code` (else the test fails showing what evrelay said); what it
/// said on stderr, for the test to read on.
pub fn stderr_of_exit(out: &std::process::Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    stderr
}

/// `evrelay --stack S --output json status EXTRA…`, which must succeed, as JSON.
pub fn status_json(moto: &Moto, stack: &str, extra: &[&str]) -> serde_json::Value {
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .args(extra)
        .output()
        .unwrap();
    assert_ok(&out);
    stdout_json(&out)
}

impl Moto {
    /// Starts a fresh moto server for this test; it is stopped when the value is dropped.
    pub fn start() -> Moto {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(home.path().join("config"), "").unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        if let Ok(endpoint) = std::env::var("EVRELAY_TEST_ENDPOINT") {
            return Moto {
                endpoint,
                child: None,
                home,
            };
        }
        Moto::spawn(home, &[])
    }

    /// A fresh emulator of its own (never the shared one) that appends the IAM action of
    /// every request it serves to `record` (tests/emulator/strict/recording.py).
    pub fn start_recording(record: &Path) -> Moto {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(home.path().join("config"), "").unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        let record = record.to_str().expect("a UTF-8 path");
        Moto::spawn(home, &[(RECORD_ENV, record)])
    }

    fn spawn(home: tempfile::TempDir, env: &[(&str, &str)]) -> Moto {
        let server = moto_server_path();
        let port = free_port();
        let child = emulator_command(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env(QUEUE_WINDOW_ENV, QUEUE_WINDOW_SECS)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start {}: {e}\n{}",
                    server.display(),
                    INSTALL_HINT
                )
            });
        let endpoint = format!("http://127.0.0.1:{port}");
        let moto = Moto {
            endpoint,
            child: Some(child),
            home,
        };
        moto.wait_ready();
        moto
    }

    fn wait_ready(&self) {
        let addr = self.endpoint.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto_server did not start listening on {addr} within 30 s");
    }

    /// The SDK configuration fixtures are seeded with.
    pub async fn sdk(&self) -> SdkConfig {
        self.sdk_in(REGION).await
    }

    /// The same in another Region (a relay pair's secondary).
    pub async fn sdk_in(&self, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await
    }

    /// The real evrelay binary, pointed at this server.
    pub fn evrelay(&self) -> Command {
        Command::from_std(self.evrelay_std())
    }

    /// The evrelay.toml every evrelay of this test reads and a deploy writes (EVRELAY_CONFIG).
    pub fn config_file(&self) -> std::path::PathBuf {
        self.home.path().join("evrelay.toml")
    }

    /// The same, as a plain process command: for a test that spawns evrelay to read its output
    /// as it runs, signal it or kill it (assert_cmd only runs to completion).
    pub fn evrelay_std(&self) -> StdCommand {
        let mut cmd = isolated(self.home.path());
        cmd.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", REGION)
            // The emulator's queue-name window, so deploy's wait matches it.
            .env("EVRELAY_QUEUE_NAME_WINDOW_SECS", QUEUE_WINDOW_SECS);
        cmd
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// evrelay with no AWS configuration at all (for the no-credentials / no-region paths).
pub fn bare_evrelay(home: &Path) -> Command {
    Command::from_std(isolated(home))
}

/// The evrelay binary with nothing of the developer's machine: no `AWS_*` variable, empty AWS
/// config and credentials files in `home` (written if missing), no instance metadata, `HOME`
/// there too; and output as a pipe gets it by default: no colour, no forced colour, no
/// terminal width. A test that needs one of these sets it on the returned command.
pub fn isolated(home: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("evrelay"));
    isolate(&mut cmd, home);
    cmd
}

/// [`isolated`]'s environment, for a command that runs evrelay itself (a pseudo-terminal's
/// `script`, say).
pub fn isolate(cmd: &mut StdCommand, home: &Path) {
    for file in ["config", "credentials"] {
        let path = home.join(file);
        if !path.exists() {
            std::fs::write(&path, "").expect("write an empty AWS config file");
        }
    }
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("AWS_")) {
            cmd.env_remove(&key);
        }
    }
    cmd.env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", home)
        // This test's own evrelay.toml: a deploy remembers its settings there, never in the
        // repository, and no other test reads them.
        .env("EVRELAY_CONFIG", home.join("evrelay.toml"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("EVRELAY_TEST_ENDPOINT");
}

const INSTALL_HINT: &str = "the integration tests need moto's server: run `bash .ci/run` once (it creates .venv), \
or `python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt`, or set EVRELAY_MOTO_SERVER \
to a moto_server executable, or EVRELAY_TEST_ENDPOINT to a running server";

fn moto_server_path() -> PathBuf {
    if let Some(p) = std::env::var_os("EVRELAY_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("moto_server");
            if candidate.exists() {
                return candidate;
            }
        }
    }
    panic!("moto_server not found.\n{INSTALL_HINT}");
}

/// The strict emulator (tests/emulator/moto_launcher.py: moto plus the AWS rules it does not
/// enforce), run by the Python next to `moto_server` (the one moto is installed in).
fn emulator_command(moto_server: &std::path::Path) -> StdCommand {
    let launcher =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/moto_launcher.py");
    let python = moto_server
        .parent()
        .map(|bin| bin.join("python"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("python3"));
    let mut cmd = StdCommand::new(python);
    cmd.arg(launcher);
    cmd
}

/// How long a deleted queue's name stays blocked in the emulator (60 s on AWS): short, so a
/// destroy-then-deploy test waits seconds, not a minute.
pub const QUEUE_WINDOW_ENV: &str = "EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW";
pub const QUEUE_WINDOW_SECS: &str = "3";

/// The emulator's recorder: the file each served request's IAM action is appended to.
pub const RECORD_ENV: &str = "EVRELAY_EMULATOR_RECORD";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .unwrap()
        .port()
}

/// The JSON document a command printed on stdout.
pub fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{text}"))
}

impl Moto {
    /// A strict emulator of its own with extra environment (the time-shaped mode:
    /// `EVRELAY_EMULATOR_TIME_SCALE`, see tests/emulator/strict/waits.py). Never a shared
    /// `EVRELAY_TEST_ENDPOINT`: the environment is the point.
    pub fn start_with_env(vars: &[(&str, &str)]) -> Moto {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(home.path().join("config"), "").unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        let server = moto_server_path();
        let port = free_port();
        let mut command = emulator_command(&server);
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env(QUEUE_WINDOW_ENV, QUEUE_WINDOW_SECS)
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("could not start {}: {e}\n{INSTALL_HINT}", server.display())
        });
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            home,
        };
        moto.wait_ready();
        moto
    }
}
