//! A minimal VPC for deploy's preflight, seeded through the SDK: two private subnets with NAT
//! egress in two AZs, a public subnet, a relay security group that admits 443 from itself (for
//! the Secrets Manager endpoint), an internal ALB whose group admits the relay on 80, and a
//! second VPC with a group of its own. Local to these tests until the shared fixtures land.

use aws_sdk_ec2::types::{Filter, IpPermission, UserIdGroupPair, VpcEndpointType};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
};

use crate::harness::Moto;

pub struct Net {
    pub vpc: String,
    pub private_a: String,
    pub private_b: String,
    /// A second private subnet in the first AZ.
    pub private_a2: String,
    pub public: String,
    pub relay_sg: String,
    pub alb_url: String,
    pub other_vpc_sg: String,
    pub ec2: aws_sdk_ec2::Client,
    pub cfn: aws_sdk_cloudformation::Client,
}

async fn subnet(ec2: &aws_sdk_ec2::Client, vpc: &str, cidr: &str, az: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone(az)
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_string()
}

async fn group(ec2: &aws_sdk_ec2::Client, vpc: &str, name: &str) -> String {
    let out = ec2
        .create_security_group()
        .vpc_id(vpc)
        .group_name(name)
        .description(name)
        .send()
        .await
        .unwrap();
    out.group_id().unwrap().to_string()
}

async fn admit(ec2: &aws_sdk_ec2::Client, sg: &str, from_sg: &str, port: i32) {
    ec2.authorize_security_group_ingress()
        .group_id(sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(from_sg).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
}

pub async fn seed(moto: &Moto) -> Net {
    let sdk = moto.sdk().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let cfn = aws_sdk_cloudformation::Client::new(&sdk);

    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let igw = ec2.create_internet_gateway().send().await.unwrap();
    let igw = igw
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_string();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();

    let public = subnet(&ec2, &vpc, "10.0.0.0/24", "us-east-1a").await;
    let private_a = subnet(&ec2, &vpc, "10.0.1.0/24", "us-east-1a").await;
    let private_b = subnet(&ec2, &vpc, "10.0.2.0/24", "us-east-1b").await;
    let private_a2 = subnet(&ec2, &vpc, "10.0.3.0/24", "us-east-1a").await;

    let rt_public = ec2.create_route_table().vpc_id(&vpc).send().await.unwrap();
    let rt_public = rt_public
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    ec2.create_route()
        .route_table_id(&rt_public)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    ec2.associate_route_table()
        .route_table_id(&rt_public)
        .subnet_id(&public)
        .send()
        .await
        .unwrap();

    let eip = ec2
        .allocate_address()
        .domain(aws_sdk_ec2::types::DomainType::Vpc)
        .send()
        .await
        .unwrap();
    let nat = ec2
        .create_nat_gateway()
        .subnet_id(&public)
        .allocation_id(eip.allocation_id().unwrap())
        .send()
        .await
        .unwrap();
    let nat = nat
        .nat_gateway()
        .unwrap()
        .nat_gateway_id()
        .unwrap()
        .to_string();
    let rt_private = ec2.create_route_table().vpc_id(&vpc).send().await.unwrap();
    let rt_private = rt_private
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    ec2.create_route()
        .route_table_id(&rt_private)
        .destination_cidr_block("0.0.0.0/0")
        .nat_gateway_id(&nat)
        .send()
        .await
        .unwrap();
    for s in [&private_a, &private_b, &private_a2] {
        ec2.associate_route_table()
            .route_table_id(&rt_private)
            .subnet_id(s)
            .send()
            .await
            .unwrap();
    }

    let relay_sg = group(&ec2, &vpc, "relay").await;
    admit(&ec2, &relay_sg, &relay_sg, 443).await;
    let alb_sg = group(&ec2, &vpc, "app-alb").await;
    admit(&ec2, &alb_sg, &relay_sg, 80).await;

    let lb = elb
        .create_load_balancer()
        .name("app")
        .scheme(LoadBalancerSchemeEnum::Internal)
        .r#type(LoadBalancerTypeEnum::Application)
        .subnets(&private_a)
        .subnets(&private_b)
        .security_groups(&alb_sg)
        .send()
        .await
        .unwrap();
    let lb = lb.load_balancers()[0].clone();
    let tg = elb
        .create_target_group()
        .name("app")
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();
    let tg = tg.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    elb.create_listener()
        .load_balancer_arn(lb.load_balancer_arn().unwrap())
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(tg)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let other = ec2
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let other = other.vpc().unwrap().vpc_id().unwrap().to_string();
    let other_vpc_sg = group(&ec2, &other, "elsewhere").await;

    Net {
        vpc,
        private_a,
        private_b,
        private_a2,
        public,
        relay_sg,
        alb_url: format!("http://{}/", lb.dns_name().unwrap()),
        other_vpc_sg,
        ec2,
        cfn,
    }
}

impl Net {
    /// Every endpoint in the seeded VPC that is not deleted.
    pub async fn live_endpoints(&self) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        let out = self
            .ec2
            .describe_vpc_endpoints()
            .filters(Filter::builder().name("vpc-id").values(&self.vpc).build())
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
}
