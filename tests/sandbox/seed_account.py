"""Seed moto with an account shaped like the tutorial's (us-east-1).

The tutorial builds an EKS cluster `events` with eksctl, then exposes the app through the AWS
Load Balancer Controller as an internal ALB. This module recreates what evrelay discovers there:
the eksctl VPC with public and private subnets in two AZs, an internet gateway and public route
table, a NAT gateway with private route tables (0.0.0.0/0 -> NAT), the shared node security
group (all traffic from itself), and an internal ALB (HTTP:80 -> target group) in the private
subnets. Decoys, so discovery has something to reject: an internet-facing ALB in the public
subnets, the eksctl control-plane security group, and a second eksctl VPC for cluster `staging`.

No Secrets Manager interface endpoint is seeded: `evrelay deploy` is expected to create (and
tag `evrelay:managed=true`) the one it needs, and `evrelay destroy` to remove it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

CLUSTER = "events"
AZS = ("us-east-1a", "us-east-1b")


def _tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def _spec(resource: str, tags: dict[str, str]) -> list[dict]:
    return [{"ResourceType": resource, "Tags": _tags(tags)}]


@dataclass
class SeededCluster:
    cluster: str
    vpc_id: str
    public_subnets: list[str] = field(default_factory=list)
    private_subnets: list[str] = field(default_factory=list)
    igw_id: str = ""
    nat_gateway_id: str = ""
    public_route_table: str = ""
    private_route_tables: list[str] = field(default_factory=list)
    shared_node_sg: str = ""
    control_plane_sg: str = ""
    internal_alb_arn: str = ""
    internal_alb_dns: str = ""
    listener_arn: str = ""
    target_group_arn: str = ""
    public_alb_arn: str = ""
    public_alb_dns: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _h(s: str, n: int) -> str:
    """A stable short hex id, like the controller's name suffixes."""
    return hashlib.sha256(s.encode()).hexdigest()[:n]


def _az_suffix(az: str) -> str:
    return az.replace("-", "").upper()  # us-east-1a -> USEAST1A, as eksctl names it


def seed_cluster(ec2, elbv2, cluster: str = CLUSTER, cidr: str = "192.168.0.0/16",
                 with_albs: bool = True, azs: tuple = AZS) -> SeededCluster:
    """Create one eksctl-shaped cluster network (and its ALBs). Returns the ids."""
    prefix = f"eksctl-{cluster}-cluster"
    cluster_tags = {
        "alpha.eksctl.io/cluster-name": cluster,
        "eksctl.cluster.k8s.io/v1alpha1/cluster-name": cluster,
        "alpha.eksctl.io/eksctl-version": "0.194.0",
        f"kubernetes.io/cluster/{cluster}": "owned",
        "aws:cloudformation:stack-name": prefix,
    }
    first, second = cidr.split(".")[:2]
    vpc = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=_spec("vpc", {**cluster_tags, "Name": f"{prefix}/VPC"}),
    )["Vpc"]
    vpc_id = vpc["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    out = SeededCluster(cluster=cluster, vpc_id=vpc_id)

    # Subnets: eksctl's default layout, public 192.168.0/19 + 32/19, private 64/19 + 96/19.
    for i, az in enumerate(azs):
        pub = ec2.create_subnet(
            VpcId=vpc_id, AvailabilityZone=az, CidrBlock=f"{first}.{second}.{i * 32}.0/19",
            TagSpecifications=_spec("subnet", {
                **cluster_tags, "Name": f"{prefix}/SubnetPublic{_az_suffix(az)}",
                "kubernetes.io/role/elb": "1",
            }),
        )["Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=pub, MapPublicIpOnLaunch={"Value": True})
        out.public_subnets.append(pub)
    for i, az in enumerate(azs):
        priv = ec2.create_subnet(
            VpcId=vpc_id, AvailabilityZone=az, CidrBlock=f"{first}.{second}.{64 + i * 32}.0/19",
            TagSpecifications=_spec("subnet", {
                **cluster_tags, "Name": f"{prefix}/SubnetPrivate{_az_suffix(az)}",
                "kubernetes.io/role/internal-elb": "1",
            }),
        )["Subnet"]["SubnetId"]
        out.private_subnets.append(priv)

    # Internet gateway + public route table.
    igw = ec2.create_internet_gateway(
        TagSpecifications=_spec("internet-gateway", {**cluster_tags, "Name": f"{prefix}/InternetGateway"}),
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    out.igw_id = igw
    rt_pub = ec2.create_route_table(
        VpcId=vpc_id,
        TagSpecifications=_spec("route-table", {**cluster_tags, "Name": f"{prefix}/PublicRouteTable"}),
    )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt_pub, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for s in out.public_subnets:
        ec2.associate_route_table(RouteTableId=rt_pub, SubnetId=s)
    out.public_route_table = rt_pub

    # NAT gateway (eksctl default: single NAT in the first public subnet) + private route tables.
    eip = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=_spec("elastic-ip", {**cluster_tags, "Name": f"{prefix}/NATIP"}),
    )["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=out.public_subnets[0], AllocationId=eip,
        TagSpecifications=_spec("natgateway", {**cluster_tags, "Name": f"{prefix}/NATGateway"}),
    )["NatGateway"]["NatGatewayId"]
    out.nat_gateway_id = nat
    for az, s in zip(azs, out.private_subnets):
        rt = ec2.create_route_table(
            VpcId=vpc_id,
            TagSpecifications=_spec("route-table", {
                **cluster_tags, "Name": f"{prefix}/PrivateRouteTable{_az_suffix(az)}",
            }),
        )["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        ec2.associate_route_table(RouteTableId=rt, SubnetId=s)
        out.private_route_tables.append(rt)

    # Security groups: the shared node SG (all traffic from itself) and a control-plane decoy.
    sg = ec2.create_security_group(
        GroupName=f"{prefix}-ClusterSharedNodeSecurityGroup-1A2B3C4D5E6F",
        Description="Communication between all nodes in the cluster",
        VpcId=vpc_id,
        TagSpecifications=_spec("security-group", {
            **cluster_tags, "Name": f"{prefix}/ClusterSharedNodeSecurityGroup",
        }),
    )["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "-1",
        "UserIdGroupPairs": [{"GroupId": sg, "Description": "Allow nodes to communicate with each other (all ports)"}],
    }])
    out.shared_node_sg = sg
    cp = ec2.create_security_group(
        GroupName=f"{prefix}-ControlPlaneSecurityGroup-6F5E4D3C2B1A",
        Description="Communication between the control plane and worker nodegroups",
        VpcId=vpc_id,
        TagSpecifications=_spec("security-group", {
            **cluster_tags, "Name": f"{prefix}/ControlPlaneSecurityGroup",
        }),
    )["GroupId"]
    out.control_plane_sg = cp

    if not with_albs:
        return out

    # The app's internal ALB, as the AWS Load Balancer Controller creates it from the Ingress.
    lb_tags = {
        "elbv2.k8s.aws/cluster": cluster,
        "ingress.k8s.aws/stack": "default/event-relay-app",
        "ingress.k8s.aws/resource": "LoadBalancer",
    }
    alb = elbv2.create_load_balancer(
        Name=f"k8s-default-eventrel-{_h(vpc_id, 10)}",
        Subnets=out.private_subnets, SecurityGroups=[sg], Scheme="internal",
        Type="application", IpAddressType="ipv4", Tags=_tags(lb_tags),
    )["LoadBalancers"][0]
    out.internal_alb_arn = alb["LoadBalancerArn"]
    out.internal_alb_dns = alb["DNSName"]
    tg = elbv2.create_target_group(
        Name=f"k8s-default-eventrel-{_h(sg, 10)}",
        Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip",
        HealthCheckPath="/", Matcher={"HttpCode": "200"},
        Tags=_tags({"elbv2.k8s.aws/cluster": cluster, "ingress.k8s.aws/resource": "default/event-relay-app-event-relay-app:80"}),
    )["TargetGroups"][0]
    out.target_group_arn = tg["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[
        {"Id": "192.168.70.10", "Port": 5000}, {"Id": "192.168.100.20", "Port": 5000},
    ])
    lst = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    out.listener_arn = lst["ListenerArn"]

    # Decoy: an internet-facing ALB in the public subnets, with its own open security group.
    pub_sg = ec2.create_security_group(
        GroupName=f"k8s-{cluster}-public-web", Description="[k8s] Managed SecurityGroup for LoadBalancer",
        VpcId=vpc_id, TagSpecifications=_spec("security-group", {"elbv2.k8s.aws/cluster": cluster}),
    )["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=pub_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }])
    palb = elbv2.create_load_balancer(
        Name=f"k8s-default-publicwe-{_h(igw, 10)}",
        Subnets=out.public_subnets, SecurityGroups=[pub_sg], Scheme="internet-facing",
        Type="application", IpAddressType="ipv4",
        Tags=_tags({"elbv2.k8s.aws/cluster": cluster, "ingress.k8s.aws/stack": "default/public-web"}),
    )["LoadBalancers"][0]
    out.public_alb_arn = palb["LoadBalancerArn"]
    out.public_alb_dns = palb["DNSName"]
    ptg = elbv2.create_target_group(
        Name=f"k8s-default-publicwe-{_h(pub_sg, 10)}",
        Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip",
    )["TargetGroups"][0]
    elbv2.create_listener(
        LoadBalancerArn=palb["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": ptg["TargetGroupArn"]}],
    )
    return out


def seed_account(ec2, elbv2, region: str | None = None) -> dict:
    """The tutorial's cluster `events`, plus a decoy eksctl cluster `staging` (no ALBs); in
    `region`'s first two AZs when given (the clients must act in that Region)."""
    azs = (f"{region}a", f"{region}b") if region else AZS
    events = seed_cluster(ec2, elbv2, CLUSTER, "192.168.0.0/16", with_albs=True, azs=azs)
    staging = seed_cluster(ec2, elbv2, "staging", "10.20.0.0/16", with_albs=False, azs=azs)
    return {"events": events.to_dict(), "staging": staging.to_dict()}
