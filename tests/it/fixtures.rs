//! Shared fixtures: networks seeded through the Rust SDK, shaped like the ones evrelay meets.
//!
//! - [`EksctlVpc::seed`]: what `eksctl create cluster` leaves behind — public and private subnets
//!   in three AZs, an internet gateway, one NAT gateway, a route table per private subnet,
//!   eksctl's Name tags and `kubernetes.io/role/*` tags, the shared node and control-plane
//!   security groups, and an internal ALB (HTTP:80, target group) in the private subnets.
//! - [`EksctlVpc::seed_decoys`]: things in the same VPC that must never be picked — an
//!   internet-facing ALB and a public subnet wearing private-looking tags.
//! - [`PlainVpc::seed`]: a second VPC, no eksctl tags, no internet gateway, with its own internal
//!   ALB; its subnets use the main route table.
//! - [`default_vpc`]: moto's default VPC, if it made one.
//! - [`interface_endpoint`]: a Secrets Manager / EventBridge interface endpoint in a VPC.
//!
//! ```ignore
//! let moto = Moto::start();
//! let sdk = moto.sdk().await;
//! let eks = EksctlVpc::seed(&sdk, "events").await;
//! let decoys = eks.seed_decoys(&sdk).await;
//! let other = PlainVpc::seed(&sdk, "billing", "10.20.0.0/16").await;
//! ```

#![allow(dead_code)]

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{DomainType, IpPermission, IpRange, Tag, UserIdGroupPair};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    TargetTypeEnum,
};

use crate::harness::REGION;

/// The AZs fixtures spread over.
pub const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

#[derive(Debug, Clone)]
pub struct Alb {
    pub name: String,
    pub arn: String,
    pub dns_name: String,
    pub security_group: String,
}

/// An eksctl-created cluster VPC (`192.168.0.0/16`, eksctl's default).
#[derive(Debug, Clone)]
pub struct EksctlVpc {
    pub cluster: String,
    pub vpc_id: String,
    pub cidr: String,
    pub igw_id: String,
    pub nat_gateway_id: String,
    /// In [`AZS`] order.
    pub public_subnets: Vec<String>,
    /// In [`AZS`] order; each has its own route table, 0.0.0.0/0 → the NAT gateway.
    pub private_subnets: Vec<String>,
    pub private_cidrs: Vec<String>,
    /// Name tag `eksctl-<cluster>-cluster/ClusterSharedNodeSecurityGroup`.
    pub shared_node_sg: String,
    /// Name tag `eksctl-<cluster>-cluster/ControlPlaneSecurityGroup`.
    pub control_plane_sg: String,
    /// The internal ALB (HTTP:80) in the private subnets; its group admits the VPC on 80.
    pub internal_alb: Alb,
}

/// Things in the eksctl VPC that must never be picked.
#[derive(Debug, Clone)]
pub struct SameVpcDecoys {
    /// Internet-facing ALB `edge-public` with an HTTP:80 listener, in the public subnets.
    pub internet_facing_alb: Alb,
    /// A public subnet (route to the IGW) in us-east-1d tagged `kubernetes.io/role/internal-elb=1`
    /// and named like a private one.
    pub tagged_public_subnet: String,
}

/// A VPC with no eksctl tags, no internet gateway (its subnets use the main table, local route
/// only), a node group `<name>-nodes` that its ALB's group admits by reference on port 80, and
/// an internal ALB `<name>-internal`.
#[derive(Debug, Clone)]
pub struct PlainVpc {
    pub vpc_id: String,
    pub private_subnets: Vec<String>,
    pub node_sg: String,
    pub internal_alb: Alb,
}

struct Clients {
    ec2: aws_sdk_ec2::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
}

impl Clients {
    fn new(sdk: &SdkConfig) -> Self {
        Self {
            ec2: aws_sdk_ec2::Client::new(sdk),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(sdk),
        }
    }

    async fn tag(&self, id: &str, tags: &[(&str, &str)]) {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(*k).value(*v).build());
        self.ec2
            .create_tags()
            .resources(id)
            .set_tags(Some(tags.collect()))
            .send()
            .await
            .expect("CreateTags");
    }

    async fn vpc(&self, cidr: &str, tags: &[(&str, &str)]) -> String {
        let out = self
            .ec2
            .create_vpc()
            .cidr_block(cidr)
            .send()
            .await
            .expect("CreateVpc");
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string();
        self.tag(&id, tags).await;
        // eksctl and the VPC wizard turn both on; CreateVpc alone leaves hostnames off, and
        // private-DNS endpoints need both (the strict emulator enforces it).
        set_vpc_dns(&self.ec2, &id, true, true).await;
        id
    }

    async fn subnet(&self, vpc_id: &str, az: &str, cidr: &str, tags: &[(&str, &str)]) -> String {
        let out = self
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .availability_zone(az)
            .cidr_block(cidr)
            .send()
            .await
            .expect("CreateSubnet");
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        self.tag(&id, tags).await;
        id
    }

    /// A route table with an explicit association for each subnet and 0.0.0.0/0 → `gateway`
    /// (an `igw-…` or a `nat-…`).
    async fn route_table(
        &self,
        vpc_id: &str,
        name: &str,
        default_to: &str,
        subnets: &[&str],
    ) -> String {
        let out = self
            .ec2
            .create_route_table()
            .vpc_id(vpc_id)
            .send()
            .await
            .expect("CreateRouteTable");
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .expect("rtb id")
            .to_string();
        self.tag(&id, &[("Name", name)]).await;
        let route = self
            .ec2
            .create_route()
            .route_table_id(&id)
            .destination_cidr_block("0.0.0.0/0");
        let route = if default_to.starts_with("nat-") {
            route.nat_gateway_id(default_to)
        } else {
            route.gateway_id(default_to)
        };
        route.send().await.expect("CreateRoute");
        for subnet in subnets {
            self.ec2
                .associate_route_table()
                .route_table_id(&id)
                .subnet_id(*subnet)
                .send()
                .await
                .expect("AssociateRouteTable");
        }
        id
    }

    async fn security_group(
        &self,
        vpc_id: &str,
        group_name: &str,
        name_tag: Option<&str>,
    ) -> String {
        let out = self
            .ec2
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name(group_name)
            .description(format!("{group_name} (evrelay test fixture)"))
            .send()
            .await
            .expect("CreateSecurityGroup");
        let id = out.group_id().expect("sg id").to_string();
        if let Some(name) = name_tag {
            self.tag(&id, &[("Name", name)]).await;
        }
        id
    }

    async fn allow_cidr(&self, sg: &str, protocol: &str, port: i32, cidr: &str) {
        let perm = IpPermission::builder()
            .ip_protocol(protocol)
            .from_port(port)
            .to_port(port)
            .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
            .build();
        self.ec2
            .authorize_security_group_ingress()
            .group_id(sg)
            .ip_permissions(perm)
            .send()
            .await
            .expect("AuthorizeIngress");
    }

    /// `protocol` `-1` with port -1 = all traffic.
    async fn allow_group(&self, sg: &str, protocol: &str, port: i32, from_sg: &str) {
        let perm = IpPermission::builder()
            .ip_protocol(protocol)
            .from_port(port)
            .to_port(port)
            .user_id_group_pairs(UserIdGroupPair::builder().group_id(from_sg).build())
            .build();
        self.ec2
            .authorize_security_group_ingress()
            .group_id(sg)
            .ip_permissions(perm)
            .send()
            .await
            .expect("AuthorizeIngress");
    }

    /// An ALB with a target group and one listener per `(protocol, port)`.
    async fn alb(
        &self,
        vpc_id: &str,
        name: &str,
        scheme: LoadBalancerSchemeEnum,
        subnets: &[String],
        sg: &str,
        listeners: &[(ProtocolEnum, i32)],
    ) -> Alb {
        let out = self
            .elb
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(subnets.to_vec()))
            .security_groups(sg)
            .scheme(scheme)
            .r#type(LoadBalancerTypeEnum::Application)
            .send()
            .await
            .expect("CreateLoadBalancer");
        let lb = out.load_balancers().first().expect("load balancer");
        let arn = lb.load_balancer_arn().expect("arn").to_string();
        let tg = self
            .elb
            .create_target_group()
            .name(format!("{name}-tg"))
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(vpc_id)
            .target_type(TargetTypeEnum::Ip)
            .send()
            .await
            .expect("CreateTargetGroup");
        let tg_arn = tg
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .expect("tg arn")
            .to_string();
        for (protocol, port) in listeners {
            let forward = Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build();
            let listener = self
                .elb
                .create_listener()
                .load_balancer_arn(&arn)
                .protocol(protocol.clone())
                .port(*port)
                .default_actions(forward);
            listener.send().await.expect("CreateListener");
        }
        Alb {
            name: name.to_string(),
            arn,
            dns_name: lb.dns_name().expect("dns name").to_string(),
            security_group: sg.to_string(),
        }
    }
}

/// `us-east-1a` → `USEAST1A`, as eksctl spells AZs in its resource names.
fn eksctl_az(az: &str) -> String {
    az.replace('-', "").to_uppercase()
}

impl EksctlVpc {
    pub async fn seed(sdk: &SdkConfig, cluster: &str) -> EksctlVpc {
        let c = Clients::new(sdk);
        let prefix = format!("eksctl-{cluster}-cluster");
        let cidr = "192.168.0.0/16".to_string();
        let cluster_tag = format!("kubernetes.io/cluster/{cluster}");
        let vpc_id = c
            .vpc(
                &cidr,
                &[
                    ("Name", &format!("{prefix}/VPC")),
                    ("alpha.eksctl.io/cluster-name", cluster),
                    (&cluster_tag, "owned"),
                ],
            )
            .await;

        let igw = c
            .ec2
            .create_internet_gateway()
            .send()
            .await
            .expect("CreateInternetGateway");
        let igw_id = igw
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .expect("igw id")
            .to_string();
        c.ec2
            .attach_internet_gateway()
            .internet_gateway_id(&igw_id)
            .vpc_id(&vpc_id)
            .send()
            .await
            .expect("AttachInternetGateway");
        c.tag(&igw_id, &[("Name", &format!("{prefix}/InternetGateway"))])
            .await;

        let mut public_subnets = Vec::new();
        let mut private_subnets = Vec::new();
        let mut private_cidrs = Vec::new();
        for (i, az) in AZS.iter().enumerate() {
            let public_cidr = format!("192.168.{}.0/19", i * 32);
            let name = format!("{prefix}/SubnetPublic{}", eksctl_az(az));
            public_subnets.push(
                c.subnet(
                    &vpc_id,
                    az,
                    &public_cidr,
                    &[("Name", &name), ("kubernetes.io/role/elb", "1")],
                )
                .await,
            );
            let private_cidr = format!("192.168.{}.0/19", 96 + i * 32);
            let name = format!("{prefix}/SubnetPrivate{}", eksctl_az(az));
            private_subnets.push(
                c.subnet(
                    &vpc_id,
                    az,
                    &private_cidr,
                    &[("Name", &name), ("kubernetes.io/role/internal-elb", "1")],
                )
                .await,
            );
            private_cidrs.push(private_cidr);
        }

        let public_refs: Vec<&str> = public_subnets.iter().map(String::as_str).collect();
        c.route_table(
            &vpc_id,
            &format!("{prefix}/PublicRouteTable"),
            &igw_id,
            &public_refs,
        )
        .await;

        // eksctl's default: one NAT gateway, in the first public subnet.
        let eip = c
            .ec2
            .allocate_address()
            .domain(DomainType::Vpc)
            .send()
            .await
            .expect("AllocateAddress");
        let nat = c
            .ec2
            .create_nat_gateway()
            .subnet_id(&public_subnets[0])
            .allocation_id(eip.allocation_id().expect("allocation id"))
            .send()
            .await
            .expect("CreateNatGateway");
        let nat_gateway_id = nat
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .expect("nat id")
            .to_string();
        for (az, subnet) in AZS.iter().zip(&private_subnets) {
            let name = format!("{prefix}/PrivateRouteTable{}", eksctl_az(az));
            c.route_table(&vpc_id, &name, &nat_gateway_id, &[subnet])
                .await;
        }

        let control_plane_sg = c
            .security_group(
                &vpc_id,
                &format!("{prefix}-ControlPlaneSecurityGroup-1A2B3C"),
                Some(&format!("{prefix}/ControlPlaneSecurityGroup")),
            )
            .await;
        let shared_node_sg = c
            .security_group(
                &vpc_id,
                &format!("{prefix}-ClusterSharedNodeSecurityGroup-4D5E6F"),
                Some(&format!("{prefix}/ClusterSharedNodeSecurityGroup")),
            )
            .await;
        c.allow_group(&shared_node_sg, "-1", -1, &shared_node_sg)
            .await;
        c.allow_group(&shared_node_sg, "-1", -1, &control_plane_sg)
            .await;

        // The AWS Load Balancer Controller's group for the ALB: the VPC on 80; the nodes admit it.
        let alb_sg = c
            .security_group(&vpc_id, "k8s-default-app-0a1b2c3d", None)
            .await;
        c.allow_cidr(&alb_sg, "tcp", 80, &cidr).await;
        c.allow_group(&shared_node_sg, "-1", -1, &alb_sg).await;
        let internal_alb = c
            .alb(
                &vpc_id,
                &format!("{cluster}-internal"),
                LoadBalancerSchemeEnum::Internal,
                &private_subnets,
                &alb_sg,
                &[(ProtocolEnum::Http, 80)],
            )
            .await;

        EksctlVpc {
            cluster: cluster.to_string(),
            vpc_id,
            cidr,
            igw_id,
            nat_gateway_id,
            public_subnets,
            private_subnets,
            private_cidrs,
            shared_node_sg,
            control_plane_sg,
            internal_alb,
        }
    }

    pub async fn seed_decoys(&self, sdk: &SdkConfig) -> SameVpcDecoys {
        let c = Clients::new(sdk);
        let public_sg = c
            .security_group(&self.vpc_id, "k8s-default-web-public", None)
            .await;
        c.allow_cidr(&public_sg, "tcp", 443, "0.0.0.0/0").await;
        let internet_facing_alb = c
            .alb(
                &self.vpc_id,
                // Sorts before `<cluster>-internal`: a picker that ignored the scheme would take it.
                "edge-public",
                LoadBalancerSchemeEnum::InternetFacing,
                &self.public_subnets,
                &public_sg,
                // HTTP only: moto's CreateListener wants a real ACM certificate for HTTPS.
                &[(ProtocolEnum::Http, 80)],
            )
            .await;
        let name = format!("eksctl-{}-cluster/SubnetPrivateUSEAST1D", self.cluster);
        let tagged_public_subnet = c
            .subnet(
                &self.vpc_id,
                "us-east-1d",
                "192.168.192.0/20",
                &[("Name", &name), ("kubernetes.io/role/internal-elb", "1")],
            )
            .await;
        c.route_table(
            &self.vpc_id,
            "decoy-public-looks-private",
            &self.igw_id,
            &[&tagged_public_subnet],
        )
        .await;
        SameVpcDecoys {
            internet_facing_alb,
            tagged_public_subnet,
        }
    }
}

impl PlainVpc {
    /// `cidr` is a /16; subnets take its first two /24s in the SDK Region's zones a and b
    /// (us-east-1a and us-east-1b unless a test seeds another Region, as a relay pair does).
    pub async fn seed(sdk: &SdkConfig, name: &str, cidr: &str) -> PlainVpc {
        let c = Clients::new(sdk);
        let vpc_id = c.vpc(cidr, &[("Name", name)]).await;
        let base = cidr.split('.').take(2).collect::<Vec<_>>().join(".");
        let region = sdk.region().map(|r| r.as_ref()).unwrap_or("us-east-1");
        let zones = [format!("{region}a"), format!("{region}b")];
        let mut private_subnets = Vec::new();
        for (i, az) in zones.iter().enumerate() {
            let subnet_name = format!("{name}-private-{az}");
            private_subnets.push(
                c.subnet(
                    &vpc_id,
                    az,
                    &format!("{base}.{i}.0/24"),
                    &[("Name", &subnet_name)],
                )
                .await,
            );
        }
        let node_sg = c
            .security_group(&vpc_id, &format!("{name}-nodes"), None)
            .await;
        let alb_sg = c
            .security_group(&vpc_id, &format!("{name}-alb"), None)
            .await;
        c.allow_group(&alb_sg, "tcp", 80, &node_sg).await;
        let internal_alb = c
            .alb(
                &vpc_id,
                &format!("{name}-internal"),
                LoadBalancerSchemeEnum::Internal,
                &private_subnets,
                &alb_sg,
                &[(ProtocolEnum::Http, 80)],
            )
            .await;
        PlainVpc {
            vpc_id,
            private_subnets,
            node_sg,
            internal_alb,
        }
    }
}

/// The region's default VPC, if the emulator created one.
pub async fn default_vpc(sdk: &SdkConfig) -> Option<String> {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let out = ec2
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("is-default")
                .values("true")
                .build(),
        )
        .send()
        .await
        .expect("DescribeVpcs");
    out.vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .map(str::to_string)
}

/// An interface endpoint for `com.amazonaws.<region>.<service>` (e.g. `secretsmanager`,
/// `events`) in `subnets`; returns its id.
pub async fn interface_endpoint(
    sdk: &SdkConfig,
    vpc_id: &str,
    subnets: &[String],
    service: &str,
    private_dns: bool,
) -> String {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let out = ec2
        .create_vpc_endpoint()
        .vpc_id(vpc_id)
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
        .service_name(format!("com.amazonaws.{REGION}.{service}"))
        .set_subnet_ids(Some(subnets.to_vec()))
        .private_dns_enabled(private_dns)
        .send()
        .await
        .expect("CreateVpcEndpoint");
    out.vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .expect("endpoint id")
        .to_string()
}

/// ModifyVpcAttribute, one attribute per call (as EC2 requires).
pub async fn set_vpc_dns(ec2: &aws_sdk_ec2::Client, vpc_id: &str, support: bool, hostnames: bool) {
    use aws_sdk_ec2::types::AttributeBooleanValue;
    ec2.modify_vpc_attribute()
        .vpc_id(vpc_id)
        .enable_dns_support(AttributeBooleanValue::builder().value(support).build())
        .send()
        .await
        .expect("ModifyVpcAttribute enableDnsSupport");
    ec2.modify_vpc_attribute()
        .vpc_id(vpc_id)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(hostnames).build())
        .send()
        .await
        .expect("ModifyVpcAttribute enableDnsHostnames");
}

/// Where [`reroute_private_subnets`] sends the eksctl private subnets' 0.0.0.0/0.
pub enum Egress {
    /// A new private NAT gateway (ConnectivityType=private: no internet) in the first one.
    PrivateNat,
    /// A new transit gateway (evrelay cannot see where it leads).
    TransitGateway,
}

/// Replaces the default route of every private subnet of the eksctl VPC; returns the new
/// target's id.
pub async fn reroute_private_subnets(sdk: &SdkConfig, eks: &EksctlVpc, to: Egress) -> String {
    use aws_sdk_ec2::types::ConnectivityType;
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let target = match to {
        Egress::PrivateNat => ec2
            .create_nat_gateway()
            .subnet_id(&eks.private_subnets[0])
            .connectivity_type(ConnectivityType::Private)
            .send()
            .await
            .expect("CreateNatGateway")
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .expect("nat id")
            .to_string(),
        Egress::TransitGateway => ec2
            .create_transit_gateway()
            .send()
            .await
            .expect("CreateTransitGateway")
            .transit_gateway()
            .and_then(|t| t.transit_gateway_id())
            .expect("tgw id")
            .to_string(),
    };
    for subnet in &eks.private_subnets {
        let tables = ec2
            .describe_route_tables()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("association.subnet-id")
                    .values(subnet)
                    .build(),
            )
            .send()
            .await
            .expect("DescribeRouteTables");
        let table = tables.route_tables()[0].route_table_id().expect("rtb id");
        let replace = ec2
            .replace_route()
            .route_table_id(table)
            .destination_cidr_block("0.0.0.0/0");
        let replace = if target.starts_with("nat-") {
            replace.nat_gateway_id(&target)
        } else {
            replace.transit_gateway_id(&target)
        };
        replace.send().await.expect("ReplaceRoute");
    }
    target
}

/// The security group evrelay makes for an interface endpoint of `stack` (its name and tags),
/// admitted by reference on `port` by `admitted_by` (as a hand-made rule or a wide ALB rule
/// might): a group the relay must never be put in.
pub async fn evrelay_endpoint_group(
    sdk: &SdkConfig,
    vpc_id: &str,
    stack: &str,
    admitted_by: &str,
    port: i32,
) -> String {
    let c = Clients::new(sdk);
    let name = format!("{stack}-secretsmanager-endpoint");
    let id = c.security_group(vpc_id, &name, None).await;
    c.tag(
        &id,
        &[("evrelay:managed", "true"), ("evrelay:stack", stack)],
    )
    .await;
    c.allow_group(admitted_by, "tcp", port, &id).await;
    id
}

/// A security group as a locked-down account writes it: no egress but TCP 80 and 443 to a
/// customer-managed prefix list of `vpc_cidr`, and TCP 443 to a second list holding 0.0.0.0/0
/// (the NAT route to AWS APIs). Returns (group, the internet list's id).
pub async fn prefix_list_only_group(
    sdk: &SdkConfig,
    vpc_id: &str,
    vpc_cidr: &str,
) -> (String, String) {
    let c = Clients::new(sdk);
    let sg = c.security_group(vpc_id, "locked-down", None).await;
    let list = |name: &'static str, cidr: String| {
        let ec2 = c.ec2.clone();
        async move {
            ec2.create_managed_prefix_list()
                .prefix_list_name(name)
                .address_family("IPv4")
                .max_entries(5)
                .entries(
                    aws_sdk_ec2::types::AddPrefixListEntry::builder()
                        .cidr(cidr)
                        .build(),
                )
                .send()
                .await
                .expect("CreateManagedPrefixList")
                .prefix_list()
                .and_then(|p| p.prefix_list_id())
                .expect("prefix list id")
                .to_string()
        }
    };
    let vpc_list = list("vpc-ranges", vpc_cidr.to_string()).await;
    let internet_list = list("internet", "0.0.0.0/0".to_string()).await;
    c.ec2
        .revoke_security_group_egress()
        .group_id(&sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("RevokeEgress");
    for (port, list) in [(80, &vpc_list), (443, &vpc_list), (443, &internet_list)] {
        allow_egress_to_list(&c.ec2, &sg, port, list).await;
    }
    (sg, internet_list)
}

/// One egress rule: TCP `port` to prefix list `list`.
pub async fn allow_egress_to_list(ec2: &aws_sdk_ec2::Client, sg: &str, port: i32, list: &str) {
    ec2.authorize_security_group_egress()
        .group_id(sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id(list)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("AuthorizeEgress");
}

/// Revokes one egress rule: TCP `port` to prefix list `list`.
pub async fn revoke_egress_to_list(ec2: &aws_sdk_ec2::Client, sg: &str, port: i32, list: &str) {
    ec2.revoke_security_group_egress()
        .group_id(sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id(list)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("RevokeEgress");
}
