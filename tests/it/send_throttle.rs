//! A load test counts a PutEvents request EventBridge refused whole as throttled (the account's
//! quota spent) apart from entries throttled inside a 200 answer, even though the SDK would
//! have retried it out of sight: evrelay makes every PutEvents retry itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

/// Reads one HTTP request: its head and its body (by Content-Length).
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some((head, data[head_end..head_end + length].to_vec()))
}

fn answer(conn: &mut TcpStream, status: &str, body: &Value) {
    let body = body.to_string();
    let _ = conn.write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-requestid: req-1\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

/// EventBridge on loopback: the bus exists; the first PutEvents is refused whole with
/// `ThrottlingException` (HTTP 400, as the PutEvents reference lists it), every later one
/// accepts all its entries. Returns the URL and the count of PutEvents calls.
fn eventbridge_throttling_once() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let puts = Arc::new(AtomicUsize::new(0));
    let seen = puts.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let Some((head, body)) = read_request(&mut conn) else {
                continue;
            };
            if head.contains("x-amz-target: awsevents.describeeventbus") {
                let arn = "arn:aws:events:us-east-1:123456789012:event-bus/th-bus";
                answer(&mut conn, "200 OK", &json!({"Name": "th-bus", "Arn": arn}));
            } else if head.contains("x-amz-target: awsevents.putevents") {
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    let refusal =
                        json!({"__type": "ThrottlingException", "message": "Rate exceeded"});
                    answer(&mut conn, "400 Bad Request", &refusal);
                } else {
                    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
                    let n = request["Entries"].as_array().map_or(0, Vec::len);
                    let entries: Vec<Value> = (0..n)
                        .map(|i| json!({"EventId": format!("eb-{i}")}))
                        .collect();
                    answer(
                        &mut conn,
                        "200 OK",
                        &json!({"FailedEntryCount": 0, "Entries": entries}),
                    );
                }
            } else {
                // CloudFormation's ownership look-up: not answered as AWS, and not needed.
                answer(&mut conn, "404 Not Found", &json!({}));
            }
        }
    });
    (url, puts)
}

#[test]
fn a_request_throttled_whole_is_counted_apart_from_throttled_entries() {
    let (url, puts) = eventbridge_throttling_once();
    let home = tempfile::tempdir().unwrap();
    let out = crate::harness::isolated(home.path())
        .args(["--region", "us-east-1", "--endpoint-url", &url])
        .args(["--stack", "th", "--output", "json", "send", "--count", "3"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    crate::harness::assert_ok(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["summary"];
    assert_eq!(s["sent"], 3, "{s}");
    assert_eq!(s["throttled_requests"], 1, "the request refused whole: {s}");
    assert_eq!(
        s["throttled_entries"], 0,
        "no entry was throttled in a 200: {s}"
    );
    assert_eq!(s["retries"], 3, "each of the three entries went twice: {s}");
    assert_eq!(puts.load(Ordering::SeqCst), 2, "one refused, one accepted");

    // The table's summary says both, apart.
    let (url, _) = eventbridge_throttling_once();
    let out = crate::harness::isolated(home.path())
        .args(["--region", "us-east-1", "--endpoint-url", &url])
        .args(["--stack", "th", "send", "--count", "3"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Retried: 3 retries (1 request throttled whole, 0 entries throttled)."),
        "{text}"
    );
}
