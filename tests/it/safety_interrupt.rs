//! Nothing half-made: a deploy interrupted with SIGINT in each phase before the change set
//! executes leaves no stack, change set or endpoint behind. A slow loopback proxy in front of
//! moto stretches every call, and the signal is sent when evrelay's own phase line appears on
//! stderr, never after a fixed sleep.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use crate::harness::Moto;
use crate::safety::{account_state, deploy_args};
use crate::stack::net::seed;

/// An HTTP/1.1 proxy on 127.0.0.1: one request per connection, answered after `delay`, with
/// `rewrite` applied to the response body (Content-Length fixed up).
pub struct SlowProxy {
    pub endpoint: String,
    /// The `Action=` of every request already forwarded to moto (Query-protocol calls).
    forwarded: Arc<Mutex<Vec<String>>>,
}

impl SlowProxy {
    pub fn start(upstream: &str, delay: Duration, rewrite: fn(String) -> String) -> SlowProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        let record = forwarded.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let record = record.clone();
                std::thread::spawn(move || {
                    let _ = relay_one(client, &upstream, delay, rewrite, &record);
                });
            }
        });
        SlowProxy {
            endpoint,
            forwarded,
        }
    }

    /// How many requests with this `Action` have reached moto (their answers may still be held).
    pub fn forwarded(&self, action: &str) -> usize {
        self.forwarded
            .lock()
            .unwrap()
            .iter()
            .filter(|a| *a == action)
            .count()
    }
}

/// Reads one request (headers, then Content-Length bytes of body).
pub(crate) fn read_message(
    r: &mut BufReader<TcpStream>,
) -> std::io::Result<Option<(Vec<String>, Vec<u8>)>> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        headers.push(line);
    }
    let len = headers
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok(Some((headers, body)))
}

pub(crate) fn write_message(
    w: &mut TcpStream,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<()> {
    let mut out = String::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.split_once(':').map(|(k, _)| k.to_ascii_lowercase());
        // The first line is the request/status line; length and keep-alive are set here.
        if i > 0
            && matches!(
                name.as_deref(),
                Some("content-length" | "connection" | "transfer-encoding")
            )
        {
            continue;
        }
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    w.write_all(out.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

fn relay_one(
    client: TcpStream,
    upstream: &str,
    delay: Duration,
    rewrite: fn(String) -> String,
    forwarded: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    while let Some((headers, body)) = read_message(&mut reader)? {
        // moto answers with Content-Length, so a response is read to the end of the connection.
        let mut up = TcpStream::connect(upstream)?;
        write_message(&mut up, &headers, &body)?;
        let text = String::from_utf8_lossy(&body);
        if let Some(action) = text.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
            forwarded.lock().unwrap().push(action.to_string());
        }
        let mut raw = Vec::new();
        up.read_to_end(&mut raw)?;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
            .unwrap_or(raw.len());
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let body = rewrite(String::from_utf8_lossy(&raw[split..]).to_string());
        let headers: Vec<String> = head
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        std::thread::sleep(delay);
        write_message(&mut client, &headers, body.as_bytes())?;
    }
    Ok(())
}

/// evrelay against `endpoint`, isolated like the harness's command (assert_cmd cannot signal).
pub fn spawn(endpoint: &str, home: &std::path::Path, args: &[String]) -> Child {
    crate::harness::isolated(home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", crate::harness::REGION)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT once a stderr line contains `ready`; returns the exit status and all of stderr.
pub fn interrupt_when(child: Child, ready: &str) -> (Output, String) {
    signal_when(child, ready, "-INT")
}

/// Sends `signal` (a `kill` flag) once a stderr line contains `ready`.
pub fn signal_when(child: Child, ready: &str, signal: &str) -> (Output, String) {
    signal_once(child, ready, signal, || true)
}

/// Sends `signal` once a stderr line contains `ready` and then `also` holds (polled: it is a
/// condition to wait for, such as a call having reached moto, not a guessed delay).
pub fn signal_once(
    mut child: Child,
    ready: &str,
    signal: &str,
    also: impl Fn() -> bool,
) -> (Output, String) {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    let mut seen = String::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(ready) {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!("evrelay never printed {ready:?}; it printed:\n{seen}");
            }
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !also() {
        assert!(
            std::time::Instant::now() < deadline,
            "the condition after {ready:?} never held; evrelay printed:\n{seen}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    (out, reader.join().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_interrupted_in_any_phase_before_execution_leaves_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let proxy = SlowProxy::start(&moto.endpoint, Duration::from_millis(400), |b| b);
    let home = tempfile::tempdir().unwrap();
    let before = account_state(&net).await;
    for (i, (phase, signal, name)) in [
        ("Deploying stack", "-INT", "Ctrl-C"),
        ("Creating the change set", "-INT", "Ctrl-C"),
        // After the endpoint is made (its wait now runs beside the stack's), before execution.
        (
            "Checking the region's Logs resource policy",
            "-INT",
            "Ctrl-C",
        ),
        ("Creating the change set", "-TERM", "SIGTERM"),
    ]
    .into_iter()
    .enumerate()
    {
        let stack = format!("intr{i}");
        // Counted before evrelay starts: its CreateChangeSet is the next one.
        let calls_before = proxy.forwarded("CreateChangeSet");
        let mut args = deploy_args(&net, &stack);
        args.extend(["--yes".into(), "--generate-secret".into()]);
        let child = spawn(&proxy.endpoint, home.path(), &args);
        // "Creating the change set" is printed before the call: signal once CreateChangeSet has
        // reached moto (the proxy holds its answer back), so there is a change set to remove.
        let sent =
            || !phase.starts_with("Creating") || proxy.forwarded("CreateChangeSet") > calls_before;
        let (out, err) = signal_once(child, phase, signal, sent);
        assert_eq!(out.status.code(), Some(1), "{phase}: {err}");
        assert!(
            err.contains(&format!(
                "deploy interrupted ({name}) before the change set was executed"
            )),
            "{phase}: {err}"
        );
        if i > 0 {
            assert!(
                err.contains("removed what it had made: change set"),
                "{phase}: {err}"
            );
        }
        let after = account_state(&net).await;
        let left: Vec<&str> = after
            .lines()
            .filter(|l| !before.contains(*l))
            // A stack made and deleted again stays in ListStacks' history only.
            .filter(|l| !(l.starts_with("stack ") && l.ends_with(" DELETE_COMPLETE")))
            .filter(|l| !(l.starts_with("endpoint ") && l.ends_with(" deleted")))
            .collect();
        assert!(left.is_empty(), "{phase}: left behind {left:?}\n{err}");
        assert!(!net.stack_exists(&stack).await);
    }
}
