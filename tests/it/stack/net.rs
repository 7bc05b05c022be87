//! The networks deploy's tests run in, from the shared fixtures: an eksctl-shaped VPC (private
//! subnets with NAT in three AZs; the shared node group admits itself, so also on 443 for the
//! Secrets Manager endpoint; an internal ALB admitting the VPC on 80), an extra private subnet
//! in the first AZ, and a second, plain VPC (no NAT) whose group is foreign to the first.

use aws_sdk_ec2::types::{Filter, IpPermission, UserIdGroupPair, VpcEndpointType};

use crate::fixtures::{EksctlVpc, PlainVpc};
use crate::harness::Moto;

pub struct Net {
    pub vpc: String,
    pub private_a: String,
    pub private_b: String,
    /// A second private subnet in the first AZ (no NAT: the VPC's main table).
    pub private_a2: String,
    pub public: String,
    pub relay_sg: String,
    pub alb_url: String,
    pub other_vpc_sg: String,
    /// The plain VPC: private subnets without NAT, its node group, its internal ALB's URL.
    pub plain: PlainVpc,
    pub ec2: aws_sdk_ec2::Client,
    pub cfn: aws_sdk_cloudformation::Client,
}

pub async fn seed(moto: &Moto) -> Net {
    let sdk = moto.sdk().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let eks = EksctlVpc::seed(&sdk, "events").await;
    let plain = PlainVpc::seed(&sdk, "billing", "10.20.0.0/16").await;
    let extra = ec2
        .create_subnet()
        .vpc_id(&eks.vpc_id)
        .cidr_block("192.168.250.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    Net {
        vpc: eks.vpc_id.clone(),
        private_a: eks.private_subnets[0].clone(),
        private_b: eks.private_subnets[1].clone(),
        private_a2: extra.subnet().unwrap().subnet_id().unwrap().to_string(),
        public: eks.public_subnets[0].clone(),
        relay_sg: eks.shared_node_sg.clone(),
        alb_url: format!("http://{}/", eks.internal_alb.dns_name),
        other_vpc_sg: plain.node_sg.clone(),
        plain,
        ec2,
        cfn: aws_sdk_cloudformation::Client::new(&sdk),
    }
}

impl Net {
    /// Every endpoint in the eksctl VPC that is not deleted.
    pub async fn live_endpoints(&self) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        self.live_endpoints_in(&self.vpc).await
    }

    pub async fn live_endpoints_in(&self, vpc: &str) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        let out = self
            .ec2
            .describe_vpc_endpoints()
            .filters(Filter::builder().name("vpc-id").values(vpc).build())
            .send()
            .await
            .unwrap();
        out.vpc_endpoints()
            .iter()
            .filter(|e| {
                !e.state()
                    .is_some_and(|s| s.as_str().eq_ignore_ascii_case("deleted"))
            })
            .cloned()
            .collect()
    }

    /// An operator's own Secrets Manager endpoint (no evrelay tags), made before any deploy.
    pub async fn create_untagged_secrets_endpoint(&self) -> String {
        let out = self
            .ec2
            .create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(&self.vpc)
            .service_name("com.amazonaws.us-east-1.secretsmanager")
            .subnet_ids(&self.private_a)
            .subnet_ids(&self.private_b)
            .security_group_ids(&self.relay_sg)
            .private_dns_enabled(true)
            .send()
            .await
            .unwrap();
        out.vpc_endpoint()
            .unwrap()
            .vpc_endpoint_id()
            .unwrap()
            .to_string()
    }

    pub async fn stack_exists(&self, stack: &str) -> bool {
        match self.cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => out.stacks().iter().any(|s| {
                s.stack_status()
                    .is_some_and(|st| st.as_str() != "DELETE_COMPLETE")
            }),
            Err(_) => false,
        }
    }

    /// Lets the plain VPC's node group reach itself on 443 (endpoints evrelay creates there
    /// take the relay's group).
    pub async fn plain_admits_itself_on_443(&self) {
        let sg = &self.plain.node_sg;
        self.ec2
            .authorize_security_group_ingress()
            .group_id(sg)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .user_id_group_pairs(UserIdGroupPair::builder().group_id(sg).build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
}

/// The tutorial's relay deployed into the eksctl VPC with a generated key; the test fails
/// showing evrelay's stderr unless it succeeds.
pub fn deploy_ok(moto: &Moto, net: &Net, stack: &str) {
    let out = moto
        .evrelay()
        .args(deploy_args(net, stack))
        .args(["--yes", "--generate-secret"])
        .output()
        .unwrap();
    crate::harness::assert_ok(&out);
}

/// `--stack STACK deploy` with this network's private subnets, relay group and ALB URL: the
/// command line every stack test starts from.
pub fn deploy_args(net: &Net, stack: &str) -> Vec<String> {
    [
        "--stack",
        stack,
        "deploy",
        "--subnet",
        &net.private_a,
        "--subnet",
        &net.private_b,
        "--security-group",
        &net.relay_sg,
        "--url",
        &net.alb_url,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Issue 21 item 5, on the emulator: a relay group whose only egress is to prefix lists (the
/// VPC's ranges; 0.0.0.0/0 for the NAT route) passes preflight; a list that cannot be read is
/// named, and `--skip-check` gets past it, printed with the plan and remembered in the file.
#[tokio::test]
async fn prefix_list_egress_is_judged_by_its_entries_and_an_unreadable_one_can_be_skipped() {
    use crate::fixtures::{allow_egress_to_list, prefix_list_only_group, revoke_egress_to_list};
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    let (locked, internet) = prefix_list_only_group(&sdk, &net.vpc, "192.168.0.0/16").await;
    let deploy = |extra: &[&str]| {
        let mut args = deploy_args(&net, "locked");
        let at = args.iter().position(|a| a == &net.relay_sg).unwrap();
        args[at] = locked.clone();
        moto.evrelay()
            .args(&args)
            .args(extra)
            .write_stdin("k3y-for-prefix-lists\n")
            .output()
            .unwrap()
    };
    let text = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).to_string();

    let out = deploy(&["--dry-run", "--secret-stdin"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The internet list gives way to one that cannot be read (gone; moto still lets a rule
    // name it, the strict emulator refuses to read it, as AWS does).
    revoke_egress_to_list(&net.ec2, &locked, 443, &internet).await;
    allow_egress_to_list(&net.ec2, &locked, 443, "pl-0123456789abcdef0").await;
    let out = deploy(&["--dry-run", "--secret-stdin"]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("could not reach EventBridge through the NAT route (send --return-response would time out) (prefix list pl-0123456789abcdef0 could not be read"),
        "{err}"
    );
    assert!(
        err.contains("pass --skip-check eventbridge-egress"),
        "{err}"
    );

    let out = deploy(&[
        "--skip-check",
        "eventbridge-egress",
        "--yes",
        "--secret-stdin",
    ]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("check `eventbridge-egress` skipped (--skip-check eventbridge-egress)"),
        "{err}"
    );
    let file = std::fs::read_to_string(moto.config_file()).unwrap();
    assert!(
        file.contains("skip_checks = [\"eventbridge-egress\"]"),
        "{file}"
    );
    // A bare redeploy reads the skip from the file.
    let out = moto
        .evrelay()
        .args(["--stack", "locked", "deploy", "--yes"])
        .output()
        .unwrap();
    let err = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("check `eventbridge-egress` skipped"), "{err}");
}
