//! Service-discovery targets (issue 22 item 6) on the strict emulator: a Cloud Map private
//! namespace in the VPC with a service that has an SRV record and one that has no port.
//! discover lists both (the port-less one with its reason, never picked); deploy to the SRV
//! service is refused by preflight while the service's group does not admit the relay.

use aws_config::SdkConfig;
use aws_sdk_servicediscovery::types::{DnsConfig, DnsRecord, RecordType};

use crate::harness::{stdout_json, Moto};
use crate::stack::net::{seed, Net};

const NAMESPACE: &str = "corp.internal";

/// The namespace in `vpc`; `orders` (SRV + A) has one instance at `ip` on 8080, `legacy` (A
/// only) one at another address with no port.
async fn cloud_map(sdk: &SdkConfig, vpc: &str, ip: &str) {
    let sd = aws_sdk_servicediscovery::Client::new(sdk);
    sd.create_private_dns_namespace()
        .name(NAMESPACE)
        .vpc(vpc)
        .send()
        .await
        .unwrap();
    let ns = sd.list_namespaces().send().await.unwrap();
    let ns_id = ns
        .namespaces()
        .iter()
        .find(|n| n.name() == Some(NAMESPACE))
        .and_then(|n| n.id())
        .unwrap()
        .to_string();
    let record = |t: RecordType| DnsRecord::builder().r#type(t).ttl(60).build().unwrap();
    for (name, records, attrs) in [
        (
            "orders",
            vec![record(RecordType::Srv), record(RecordType::A)],
            vec![("AWS_INSTANCE_IPV4", ip), ("AWS_INSTANCE_PORT", "8080")],
        ),
        (
            "legacy",
            vec![record(RecordType::A)],
            vec![("AWS_INSTANCE_IPV4", "10.99.0.9")],
        ),
    ] {
        let service = sd
            .create_service()
            .name(name)
            .namespace_id(&ns_id)
            .dns_config(
                DnsConfig::builder()
                    .set_dns_records(Some(records))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let mut register = sd
            .register_instance()
            .service_id(service.service().unwrap().id().unwrap())
            .instance_id(format!("{name}-task-1"));
        for (k, v) in attrs {
            register = register.attributes(k, v);
        }
        register.send().await.unwrap();
    }
}

/// A private hosted zone `apps.internal` in `vpc`: an SRV record naming `billing` on 9000, and a
/// `db` A record no SRV names.
async fn private_zone(sdk: &SdkConfig, vpc: &str) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecord, ResourceRecordSet,
        RrType, Vpc, VpcRegion,
    };
    let r53 = aws_sdk_route53::Client::new(sdk);
    let zone = r53
        .create_hosted_zone()
        .name("apps.internal")
        .caller_reference("apps-internal")
        // AWS makes a zone created with a VPC private; moto needs it said.
        .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
        .vpc(
            Vpc::builder()
                .vpc_id(vpc)
                .vpc_region(VpcRegion::UsEast1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let zone_id = zone.hosted_zone().unwrap().id().to_string();
    let set = |name: &str, t: RrType, v: &str| {
        Change::builder()
            .action(ChangeAction::Create)
            .resource_record_set(
                ResourceRecordSet::builder()
                    .name(name)
                    .r#type(t)
                    .ttl(60)
                    .resource_records(ResourceRecord::builder().value(v).build().unwrap())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    r53.change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .changes(set(
                    "_http._tcp.billing.apps.internal.",
                    RrType::Srv,
                    "1 10 9000 billing.apps.internal.",
                ))
                .changes(set("billing.apps.internal.", RrType::A, "10.0.9.5"))
                .changes(set("db.apps.internal.", RrType::A, "10.0.9.7"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// A task's network interface in the first private subnet, in a group of its own that admits
/// nothing yet: (its IP, its group).
async fn orders_task(net: &Net) -> (String, String) {
    let sg = net
        .ec2
        .create_security_group()
        .group_name("orders-tasks")
        .description("orders tasks")
        .vpc_id(&net.vpc)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let eni = net
        .ec2
        .create_network_interface()
        .subnet_id(&net.private_a)
        .groups(&sg)
        .send()
        .await
        .unwrap();
    let ip = eni
        .network_interface()
        .and_then(|n| n.private_ip_address())
        .unwrap()
        .to_string();
    (ip, sg)
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_lists_the_cloud_map_services_beside_the_alb_and_never_picks_a_portless_one() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    let (ip, _) = orders_task(&net).await;
    cloud_map(&sdk, &net.vpc, &ip).await;
    private_zone(&sdk, &net.vpc).await;

    // Table: both services, the port-less one with its reason.
    let out = moto
        .evrelay()
        .args(["discover", "--vpc-id", &net.vpc])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    let section = stdout
        .split("Service discovery\n")
        .nth(1)
        .expect("a Service discovery section");
    let orders = section
        .lines()
        .find(|l| l.contains("orders"))
        .unwrap_or_else(|| panic!("{section}"));
    for cell in [
        "cloud_map",
        NAMESPACE,
        "8080",
        "http://orders.corp.internal:8080/",
        "port from the SRV record, 1 instance",
    ] {
        assert!(orders.contains(cell), "{orders}");
    }
    let legacy = section.lines().find(|l| l.contains("legacy")).unwrap();
    assert!(
        legacy.contains("no SRV record and no instance port: pass --url with the port"),
        "{legacy}"
    );
    // The VPC's internal ALB stays the URL on the deploy line.
    let deploy = stdout.lines().last().unwrap();
    assert!(
        deploy.contains(&format!("--url {} ", net.alb_url)),
        "{deploy}"
    );

    // JSON: one entry per service, the same names.
    let json = stdout_json(
        &moto
            .evrelay()
            .args(["--output", "json", "discover", "--vpc-id", &net.vpc])
            .output()
            .unwrap(),
    );
    let targets = json["service_discovery_targets"].as_array().unwrap();
    assert_eq!(targets.len(), 4, "{targets:?}");
    let by = |name: &str| targets.iter().find(|t| t["service"] == name).unwrap();
    let orders = by("orders");
    assert_eq!(orders["source"], "cloud_map");
    assert_eq!(orders["namespace"], NAMESPACE);
    assert_eq!(orders["port"], 8080);
    assert_eq!(orders["url"], "http://orders.corp.internal:8080/");
    assert_eq!(orders["addresses"][0], ip.as_str());
    assert_eq!(orders["picked"], false, "the ALB is picked");
    let legacy = by("legacy");
    assert!(
        legacy["port"].is_null() && legacy["url"].is_null(),
        "{legacy}"
    );
    assert_eq!(legacy["picked"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_alb_discover_picks_the_srv_service_for_the_deploy_line() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    // The plain VPC's ALB is removed: the Cloud Map service is what the relay calls there.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    elb.delete_load_balancer()
        .load_balancer_arn(&net.plain.internal_alb.arn)
        .send()
        .await
        .unwrap();
    cloud_map(&sdk, &net.plain.vpc_id, "10.20.0.40").await;

    let out = moto
        .evrelay()
        .args(["discover", "--vpc-id", &net.plain.vpc_id])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let deploy = stdout.lines().last().unwrap();
    assert!(
        deploy.contains("--url http://orders.corp.internal:8080/ --secret-stdin"),
        "{deploy}"
    );
    assert!(!stderr.contains("no internal ALB"), "{stderr}");
    let picks = stdout.split("Picks\n").nth(1).unwrap();
    assert!(
        picks.contains("Cloud Map service orders in corp.internal"),
        "{picks}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_to_a_cloud_map_service_its_group_does_not_admit_is_refused_naming_the_rule() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    let (ip, tasks_sg) = orders_task(&net).await;
    cloud_map(&sdk, &net.vpc, &ip).await;
    let deploy = |url: &str, extra: &[&str]| {
        moto.evrelay()
            .args([
                "--stack",
                "orders",
                "deploy",
                "--subnet",
                &net.private_a,
                "--subnet",
                &net.private_b,
                "--security-group",
                &net.relay_sg,
                "--url",
                url,
                "--secret-stdin",
            ])
            .args(extra)
            .write_stdin("k3y-for-orders\n")
            .output()
            .unwrap()
    };
    let text = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).to_string();

    // The orders tasks' group admits nobody: refused, the missing rule named, nothing made.
    let out = deploy("http://orders.corp.internal:8080/", &["--yes"]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the security groups do not let {} reach Cloud Map service `orders.corp.internal` on port 8080: instance {ip} ({tasks_sg})",
            net.relay_sg
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "add an inbound rule to {tasks_sg} for TCP 8080 from {}",
            net.relay_sg
        )),
        "{err}"
    );
    assert!(err.contains("pass --skip-check service-reach"), "{err}");
    assert!(!net.stack_exists("orders").await, "no stack");
    assert!(net.live_endpoints().await.is_empty(), "no endpoint");

    // Without the port, the URL would reach 80, which no instance registers.
    let out = deploy("http://orders.corp.internal/", &["--dry-run"]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "names Cloud Map service `orders.corp.internal`, which registers port 8080, not 80"
        ),
        "{err}"
    );
    assert!(err.contains("http://orders.corp.internal:8080/"), "{err}");

    // The rule added, the same deploy passes preflight.
    net.ec2
        .authorize_security_group_ingress()
        .group_id(&tasks_sg)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8080)
                .to_port(8080)
                .user_id_group_pairs(
                    aws_sdk_ec2::types::UserIdGroupPair::builder()
                        .group_id(&net.relay_sg)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = deploy("http://orders.corp.internal:8080/", &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
