//! `send --return-response`'s diagnosis reads the retry settings of the stack as deployed (its
//! template's EventInvokeConfig, its FunctionTimeout) and says that throttles are retried up to
//! the event's maximum age.

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;

/// A stack deployed with other retry settings than today's template: 1 retry, 15 minutes.
const DEPLOYED: &str = "Parameters:
  FunctionTimeout:
    Type: String
    Default: '30'
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  InvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: dg-relay
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
      MaximumEventAgeInSeconds: 900
";

#[tokio::test(flavor = "multi_thread")]
async fn the_diagnosis_uses_the_deployed_stacks_retry_settings() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk().await);
    // The stack's state does not matter: its template and parameters are what is read.
    let _ = cfn
        .create_stack()
        .stack_name("dg")
        .template_body(DEPLOYED)
        .send()
        .await;
    create_bus(&c.events, "dg-bus").await;
    create_queue(&c.sqs, "dg-responses").await;
    create_queue(&c.sqs, "dg-dlq").await;

    // No relay answers: the send times out and explains when a failure record is due.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "dg",
            "--output",
            "json",
            "send",
            "--return-response",
            "--timeout",
            "1s",
        ])
        .assert()
        .code(1);
    let doc = stdout_json(out.get_output());
    let s = &doc["diagnosis"]["schedule"];
    assert_eq!(s["attempts"], 2, "{s}");
    assert_eq!(s["max_event_age_s"], 900, "{s}");
    assert_eq!(s["function_timeout_s"], 30, "{s}");
    assert!(
        s["source"]
            .as_str()
            .unwrap()
            .contains("retries from stack `dg`'s template"),
        "{s}"
    );
    // Throttles: up to the maximum age (900 s) plus one timeout, long after the errors' bound
    // (2 × 30 s + 1 min).
    let due = s["failure_record_due_by"].as_str().unwrap();
    let throttled = s["throttled_record_due_by"].as_str().unwrap();
    assert!(throttled > due, "{s}");

    let out = moto
        .evrelay()
        .args([
            "--stack",
            "dg",
            "send",
            "--return-response",
            "--timeout",
            "1s",
        ])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("2 attempts of up to 30 s"), "{stdout}");
    assert!(
        words.contains("If Lambda throttles the relay or fails itself (429, 5xx), it retries with backoff up to 5 min for the event's maximum age, 900 s"),
        "{stdout}"
    );
}
