"""Seed a moto server with the VPC `evrelay discover` is benchmarked on: the shape eksctl leaves
for cluster `events` (the same as tests/it/fixtures.rs: public and private subnets in three AZs,
IGW, one NAT, a route table per private subnet, eksctl's tags and security groups, an internal
ALB with an HTTP:80 listener) plus an internet-facing ALB beside it.

Usage: python seed_discover.py ENDPOINT_URL   → prints the VPC id.
"""

import sys

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
# Retries off: an emulator 500 should fail the seed, not be retried into duplicates.
cfg = Config(region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"})
kw = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing", config=cfg)
ec2 = boto3.client("ec2", **kw)
elb = boto3.client("elbv2", **kw)

cluster = "events"
prefix = f"eksctl-{cluster}-cluster"
azs = ["us-east-1a", "us-east-1b", "us-east-1c"]


def tag(resource, **tags):
    ec2.create_tags(Resources=[resource], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def az_name(az):
    return az.replace("-", "").upper()


vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(
    Resources=[vpc],
    Tags=[
        {"Key": "Name", "Value": f"{prefix}/VPC"},
        {"Key": "alpha.eksctl.io/cluster-name", "Value": cluster},
        {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "owned"},
    ],
)
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

public, private = [], []
for i, az in enumerate(azs):
    s = ec2.create_subnet(VpcId=vpc, AvailabilityZone=az, CidrBlock=f"192.168.{i * 32}.0/19")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[s], Tags=[{"Key": "Name", "Value": f"{prefix}/SubnetPublic{az_name(az)}"}, {"Key": "kubernetes.io/role/elb", "Value": "1"}])
    public.append(s)
    s = ec2.create_subnet(VpcId=vpc, AvailabilityZone=az, CidrBlock=f"192.168.{96 + i * 32}.0/19")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[s], Tags=[{"Key": "Name", "Value": f"{prefix}/SubnetPrivate{az_name(az)}"}, {"Key": "kubernetes.io/role/internal-elb", "Value": "1"}])
    private.append(s)

rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
for s in public:
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=s)

eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=eip)["NatGateway"]["NatGatewayId"]
for az, s in zip(azs, private):
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    tag(rtb, Name=f"{prefix}/PrivateRouteTable{az_name(az)}")
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=s)


def group(name, name_tag=None):
    g = ec2.create_security_group(VpcId=vpc, GroupName=name, Description=f"{name} (benchmark)")["GroupId"]
    if name_tag:
        tag(g, Name=name_tag)
    return g


group(f"{prefix}-ControlPlaneSecurityGroup-1A2B3C", f"{prefix}/ControlPlaneSecurityGroup")
nodes = group(f"{prefix}-ClusterSharedNodeSecurityGroup-4D5E6F", f"{prefix}/ClusterSharedNodeSecurityGroup")
alb_sg = group("k8s-default-app-0a1b2c3d")
ec2.authorize_security_group_ingress(
    GroupId=alb_sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "192.168.0.0/16"}]}]
)
ec2.authorize_security_group_ingress(GroupId=nodes, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": alb_sg}]}])
public_sg = group("k8s-default-web-public")


def alb(name, scheme, subnets, sg):
    arn = elb.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[sg], Scheme=scheme, Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])


alb(f"{cluster}-internal", "internal", private, alb_sg)
alb("edge-public", "internet-facing", public, public_sg)
print(vpc)
