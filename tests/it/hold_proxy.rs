//! A loopback proxy in front of the emulator that holds the answer of one named AWS call: the
//! request reaches moto (so what it creates exists) but evrelay has not seen the answer. A
//! test signals evrelay while the answer is held, waits for evrelay to say what it does about
//! it, then releases the answer. It also records every call that reached moto, so a test can
//! assert that a command made none but reads.

use std::io::{BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Output};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::safety_interrupt::{read_message, write_message};

#[derive(Default)]
struct Gate {
    /// Calls whose answer is being held right now.
    holding: usize,
    released: bool,
}

pub struct HoldProxy {
    pub endpoint: String,
    calls: Arc<Mutex<Vec<String>>>,
    gate: Arc<(Mutex<Gate>, Condvar)>,
}

impl HoldProxy {
    /// Holds the first answer to `hold` (an `Action=` or the `X-Amz-Target` operation) until
    /// [`HoldProxy::release`]; `None` holds nothing.
    pub fn start(upstream: &str, hold: Option<&'static str>) -> HoldProxy {
        HoldProxy::start_in(upstream, hold, None)
    }

    /// The same, holding `hold` only when it is signed for `region` (a relay pair's
    /// secondary: both Regions make the same calls).
    pub fn start_in(
        upstream: &str,
        hold: Option<&'static str>,
        region: Option<&'static str>,
    ) -> HoldProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new((Mutex::new(Gate::default()), Condvar::new()));
        let (record, held) = (calls.clone(), gate.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, record, held) = (upstream.clone(), record.clone(), held.clone());
                std::thread::spawn(move || {
                    let _ = relay(client, &upstream, hold, region, &record, &held);
                });
            }
        });
        HoldProxy {
            endpoint,
            calls,
            gate,
        }
    }

    /// Every call that reached moto, in order.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until an answer is being held (the call reached moto).
    pub fn wait_held(&self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let (lock, cvar) = &*self.gate;
        let mut gate = lock.lock().unwrap();
        while gate.holding == 0 {
            assert!(
                Instant::now() < deadline,
                "no call was held; calls: {:?}",
                self.calls()
            );
            gate = cvar
                .wait_timeout(gate, Duration::from_millis(100))
                .unwrap()
                .0;
        }
    }

    pub fn release(&self) {
        let (lock, cvar) = &*self.gate;
        lock.lock().unwrap().released = true;
        cvar.notify_all();
    }
}

fn operation(headers: &[String], body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Some(action) = text.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return action.to_string();
    }
    headers
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("x-amz-target")
                .then(|| v.trim().rsplit('.').next().unwrap_or_default().to_string())
        })
        .unwrap_or_default()
}

fn relay(
    client: TcpStream,
    upstream: &str,
    hold: Option<&str>,
    region: Option<&str>,
    calls: &Mutex<Vec<String>>,
    gate: &(Mutex<Gate>, Condvar),
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    while let Some((headers, body)) = read_message(&mut reader)? {
        let mut up = TcpStream::connect(upstream)?;
        write_message(&mut up, &headers, &body)?;
        let op = operation(&headers, &body);
        let mut raw = Vec::new();
        up.read_to_end(&mut raw)?;
        calls.lock().unwrap().push(op.clone());
        // SigV4's credential scope names the Region: `Credential=KEY/DATE/REGION/SERVICE/…`.
        let in_region = region.map_or(true, |r| {
            headers.iter().any(|h| {
                h.to_ascii_lowercase().starts_with("authorization:")
                    && h.contains(&format!("/{r}/"))
            })
        });
        if hold == Some(op.as_str()) && in_region {
            let (lock, cvar) = gate;
            let mut g = lock.lock().unwrap();
            g.holding += 1;
            cvar.notify_all();
            while !g.released {
                g = cvar.wait(g).unwrap();
            }
            g.holding -= 1;
        }
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
            .unwrap_or(raw.len());
        let head: Vec<String> = String::from_utf8_lossy(&raw[..split])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        write_message(&mut client, &head, &raw[split..])?;
    }
    Ok(())
}

/// Signals evrelay (SIGINT) while the proxy holds an answer, waits for a stderr line
/// containing `then` (evrelay saying what it does about the held call), releases the answer,
/// and returns the exit status and all of stderr.
pub fn interrupt_while_held(mut child: Child, proxy: &HoldProxy, then: &str) -> (Output, String) {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(BufReader::new(stderr)).map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    proxy.wait_held();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut seen = String::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(then) {
                    break;
                }
            }
            Err(_) => {
                proxy.release();
                let _ = child.kill();
                panic!("evrelay never printed {then:?}; it printed:\n{seen}");
            }
        }
    }
    proxy.release();
    let out = child.wait_with_output().unwrap();
    (out, reader.join().unwrap())
}
