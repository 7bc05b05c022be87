//! Account-wide state preflight reads: a shared VPC's centralised endpoints (private hosted
//! zones named after the services, associated with the relay's VPC) and the account's Lambda
//! concurrency.

use crate::harness::Moto;
use crate::stack::net::{seed, Net};

const SECRET: &str = "k3y-for-account-limits";

fn deploy(moto: &Moto, net: &Net, stack: &str, extra: &[&str]) -> std::process::Output {
    moto.evrelay()
        .args(["--output", "json", "--stack", stack, "deploy"])
        .args(["--subnet", &net.private_a, "--subnet", &net.private_b])
        .args(["--security-group", &net.relay_sg, "--url", &net.alb_url])
        .args(["--yes", "--secret-stdin"])
        .args(extra)
        .write_stdin(format!("{SECRET}\n"))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).to_string();
    assert!(!text.contains(SECRET), "the secret leaked:\n{text}");
    text
}

#[tokio::test]
async fn a_centralised_secrets_manager_zone_is_used_and_no_endpoint_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // The organisation's shared VPC serves Secrets Manager; its zone is associated here.
    let route53 = aws_sdk_route53::Client::new(&moto.sdk().await);
    let zone = route53
        .create_hosted_zone()
        .name("secretsmanager.us-east-1.amazonaws.com")
        .caller_reference("shared-services")
        .vpc(
            aws_sdk_route53::types::Vpc::builder()
                .vpc_id(&net.vpc)
                .vpc_region(aws_sdk_route53::types::VpcRegion::UsEast1)
                .build(),
        )
        .hosted_zone_config(
            aws_sdk_route53::types::HostedZoneConfig::builder()
                .private_zone(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let zone_id = zone
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string();

    let out = deploy(&moto, &net, "spoke", &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        net.live_endpoints().await.is_empty(),
        "no endpoint: a private-DNS one would conflict with the zone"
    );
    // One JSON document per line: the change set's preview, then the result; both name it.
    let reports: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let report = reports.last().unwrap();
    let secrets = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["service"] == "secretsmanager")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(secrets["action"], "centralised");
    assert_eq!(secrets["id"], zone_id.as_str());
    assert!(
        secrets["why"]
            .as_str()
            .unwrap()
            .starts_with("private hosted zone secretsmanager.us-east-1.amazonaws.com"),
        "{secrets}"
    );
}

#[tokio::test]
async fn reserved_concurrency_beyond_the_account_is_refused_before_anything_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // The emulator's account: 1000, all unreserved; Lambda keeps 100, so 900 is the most.
    let out = deploy(&moto, &net, "greedy", &["--reserved-concurrency", "950"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default();
    assert_eq!(
        line,
        "error: --reserved-concurrency 950 is more than this account can reserve: 900 (unreserved 1000, of which Lambda keeps 100 for functions without a reservation; account limit 1000)"
    );
    assert!(
        stderr.contains("pass --reserved-concurrency 900 or less"),
        "{stderr}"
    );
    assert!(net.live_endpoints().await.is_empty(), "nothing created");
    let stacks = net.cfn.list_stacks().send().await.unwrap();
    assert!(stacks.stack_summaries().is_empty(), "no stack");
}
