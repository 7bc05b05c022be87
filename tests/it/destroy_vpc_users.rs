//! destroy never cuts other workloads off: an endpoint evrelay made serves the whole VPC, so a
//! pod that came later in a subnet without NAT keeps it (handed to the VPC, no longer any
//! evrelay stack's); `--delete-endpoints` deletes it after naming the pod; `--keep-endpoints`
//! hands it over the same way.

use std::process::Output;

use aws_sdk_ec2::types::VpcEndpoint;

use crate::harness::Moto;
use crate::stack::net::{seed, Net};

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn deploy(moto: &Moto, net: &Net, stack: &str) -> String {
    crate::stack::net::deploy_ok(moto, net, stack);
    let eps = net.live_endpoints().await;
    assert_eq!(eps.len(), 1, "{eps:?}");
    eps[0].vpc_endpoint_id().unwrap().to_string()
}

/// A pod's network interface in the subnet with no NAT (the VPC's main table).
async fn a_pod_in_a_subnet_without_nat(net: &Net) -> String {
    let out = net
        .ec2
        .create_network_interface()
        .subnet_id(&net.private_a2)
        .description("aws-K8S-i-0a1b2c3d4e5f60718")
        .send()
        .await
        .unwrap();
    out.network_interface()
        .unwrap()
        .network_interface_id()
        .unwrap()
        .to_string()
}

/// The last JSON line: destroy's result (the stack's events come before it).
fn result(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a result line");
    serde_json::from_str(last).unwrap()
}

fn tags(e: &VpcEndpoint) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = e
        .tags()
        .iter()
        .filter(|t| t.key().is_some_and(|k| k.starts_with("evrelay:")))
        .map(|t| {
            (
                t.key().unwrap().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn endpoint(net: &Net, id: &str) -> Option<VpcEndpoint> {
    net.live_endpoints()
        .await
        .into_iter()
        .find(|e| e.vpc_endpoint_id() == Some(id))
}

fn released_from(stack: &str) -> Vec<(String, String)> {
    vec![("evrelay:released-from".to_string(), stack.to_string())]
}

#[tokio::test]
async fn destroy_keeps_an_endpoint_a_pod_needs_and_no_later_stack_of_the_name_deletes_it() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let vpce = deploy(&moto, &net, "orders").await;
    let pod = a_pod_in_a_subnet_without_nat(&net).await;

    let out = moto
        .evrelay()
        .args(["--stack", "orders", "destroy", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let all = text(&out);
    // The plan says why, naming the pod's interface; the result says how to delete it later.
    for part in [
        format!("keeping VPC endpoint {vpce} for the VPC (an interface endpoint with private DNS serves the whole VPC"),
        format!("{pod} in {} (owner 123456789012", net.private_a2),
        "\"aws-K8S-i-0a1b2c3d4e5f60718\")".to_string(),
        format!("Kept VPC endpoint {vpce} for the VPC: network interface {pod} may reach the service only through it. Tagged evrelay:released-from=orders"),
        format!("`aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {vpce}`"),
    ] {
        assert!(all.contains(&part), "{part}\n{all}");
    }
    let kept = endpoint(&net, &vpce).await.expect("the endpoint stays");
    assert_eq!(tags(&kept), released_from("orders"));
    assert!(!net.stack_exists("orders").await);

    // A new relay of the same name reuses the endpoint, and its destroy leaves it alone, even
    // told to delete endpoints: it is nobody's in evrelay any more.
    let again = deploy(&moto, &net, "orders").await;
    assert_eq!(again, vpce);
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "orders",
            "--output",
            "json",
            "destroy",
            "--yes",
            "--delete-endpoints",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = result(&out);
    assert_eq!(doc["endpoints_deleted"], serde_json::json!([]), "{doc}");
    assert!(endpoint(&net, &vpce).await.is_some());
}

#[tokio::test]
async fn delete_endpoints_names_the_pod_that_may_lose_access_and_deletes_it() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let vpce = deploy(&moto, &net, "orders").await;
    let pod = a_pod_in_a_subnet_without_nat(&net).await;

    let out = moto
        .evrelay()
        .args([
            "--stack",
            "orders",
            "--output",
            "json",
            "destroy",
            "--yes",
            "--delete-endpoints",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("deleting VPC endpoint {vpce} anyway (--delete-endpoints); these network interfaces in the VPC may lose the service with it:")),
        "{stderr}"
    );
    assert!(stderr.contains(&pod), "{stderr}");
    let doc = result(&out);
    assert_eq!(doc["endpoints_deleted"], serde_json::json!([vpce]), "{doc}");
    assert!(endpoint(&net, &vpce).await.is_none());
}

#[tokio::test]
async fn keep_endpoints_hands_them_to_the_vpc_and_without_other_users_destroy_deletes_them() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let vpce = deploy(&moto, &net, "orders").await;
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "orders",
            "--output",
            "json",
            "destroy",
            "--yes",
            "--keep-endpoints",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = result(&out);
    assert_eq!(doc["endpoints_kept"], serde_json::json!([vpce]), "{doc}");
    let kept = endpoint(&net, &vpce).await.expect("kept");
    assert_eq!(tags(&kept), released_from("orders"));
    // Its own security group is handed over with it: not evrelay's to delete either.
    let groups = kept
        .groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect::<Vec<_>>();
    let described = net
        .ec2
        .describe_security_groups()
        .set_group_ids(Some(groups.iter().map(|g| g.to_string()).collect()))
        .send()
        .await
        .unwrap();
    for g in described.security_groups() {
        let evrelay: Vec<_> = g
            .tags()
            .iter()
            .filter(|t| t.key().is_some_and(|k| k.starts_with("evrelay:")))
            .map(|t| (t.key().unwrap(), t.value().unwrap_or_default()))
            .collect();
        assert_eq!(evrelay, [("evrelay:released-from", "orders")]);
    }

    // Nobody else in the VPC: a plain destroy deletes the endpoint, saying it served the VPC.
    let moto = Moto::start();
    let net = seed(&moto).await;
    let vpce = deploy(&moto, &net, "solo").await;
    let out = moto
        .evrelay()
        .args(["--stack", "solo", "destroy", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("(an interface endpoint with private DNS serves the whole VPC"),
        "{all}"
    );
    assert!(endpoint(&net, &vpce).await.is_none(), "{all}");
}
