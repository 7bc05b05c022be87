//! `evrelay status` shows the relay function's Lambda state; a function that is gone is shown
//! as not found, and status still succeeds (the stack is the point).

use crate::harness::{stdout_json, Moto};
use crate::stack::net::{deploy_ok, seed};

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_the_relay_functions_state_and_a_missing_function_as_not_found() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "fnstate";
    deploy_ok(&moto, &net, stack);

    // The operator checks the deployed relay: moto's function is Active, its last update done.
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .output()
        .unwrap();
    crate::harness::assert_ok(&out);
    let status = stdout_json(&out);
    assert_eq!(status["function"], "fnstate-relay");
    assert_eq!(status["function_state"], "Active");
    assert_eq!(status["function_last_update"], "Successful");
    assert!(status["function_note"].is_null(), "{status}");
    let out = moto
        .evrelay()
        .args(["--stack", stack, "status"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.contains("fnstate-relay") && !l.contains("AWS::"))
        .unwrap_or_else(|| panic!("no function row:\n{table}"));
    assert!(
        row.contains("Active") && row.contains("Successful"),
        "{row}"
    );

    // Someone deletes the function behind the stack's back: status still shows the stack.
    let lambda = aws_sdk_lambda::Client::new(&moto.sdk().await);
    lambda
        .delete_function()
        .function_name("fnstate-relay")
        .send()
        .await
        .unwrap();
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .output()
        .unwrap();
    crate::harness::assert_ok(&out);
    let status = stdout_json(&out);
    assert!(status["function_state"].is_null(), "{status}");
    assert_eq!(status["status"], "CREATE_COMPLETE");
}
