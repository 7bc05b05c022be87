"""The acceptance run's scaffolding, made with boto3: what an operator's VPC would already have.

A throwaway VPC (DNS support and host names on, as private-DNS endpoints need) with one private
subnet in each of two AZs and no NAT or internet gateway; an internal ALB with an HTTP:80
listener whose target is a small non-VPC Lambda function (target_app.py). Everything is tagged
`evrelay-acceptance=<run id>`; every id is written to the run's state file the moment it exists,
so a run killed half-way can still be torn down (`teardown`) from that file.

Teardown goes in dependency order and retries what AWS releases late (the ALB's and the relay
function's network interfaces hold the subnets and security groups for minutes after their
owner is gone) until a deadline; what it could not remove is returned with the command that
removes it.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import asdict, dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
TAG_KEY = "evrelay-acceptance"
CIDR = "10.77.0.0/16"
SUBNET_CIDRS = ("10.77.1.0/24", "10.77.2.0/24")
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
BOTO_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=60)


class Clients:
    """boto3 clients for one account and region; `endpoint_url` points them at an emulator."""

    def __init__(self, session: boto3.session.Session, endpoint_url: str | None = None,
                 config: Config | None = None):
        self.session, self.endpoint_url, self.config = session, endpoint_url, config or BOTO_CONFIG
        self._c: dict = {}

    @property
    def region(self) -> str:
        return self.session.region_name

    def __call__(self, service: str):
        if service not in self._c:
            self._c[service] = self.session.client(service, endpoint_url=self.endpoint_url, config=self.config)
        return self._c[service]


@dataclass
class ScaffoldState:
    run_id: str
    region: str
    vpc_id: str = ""
    subnet_ids: list[str] = field(default_factory=list)
    azs: list[str] = field(default_factory=list)
    alb_sg_id: str = ""
    relay_sg_id: str = ""
    role_name: str = ""
    function_name: str = ""
    log_group: str = ""
    target_group_arn: str = ""
    alb_arn: str = ""
    alb_dns: str = ""
    listener_arn: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.alb_dns}/"


def _name(run_id: str, what: str) -> str:
    # Run ids are 19 characters: `<id>-alb` stays within a load balancer's 32.
    return f"{run_id}-{what}"


def _tags(run_id: str, name: str) -> list[dict]:
    return [{"Key": TAG_KEY, "Value": run_id}, {"Key": "Name", "Value": name}]


def _spec(rtype: str, run_id: str, name: str) -> list[dict]:
    return [{"ResourceType": rtype, "Tags": _tags(run_id, name)}]


def _code_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(HERE, "target_app.py"), "target_app.py")
    return buf.getvalue()


def _code(e: ClientError) -> str:
    return e.response.get("Error", {}).get("Code", "")


class Scaffold:
    def __init__(self, clients: Clients, state: ScaffoldState, state_path: str | None = None,
                 log=print, poll: float = 5.0):
        self.c, self.s, self.path, self.log, self.poll = clients, state, state_path, log, poll

    def _save(self) -> None:
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(asdict(self.s), f, indent=2)
            os.replace(tmp, self.path)

    @classmethod
    def load(cls, clients: Clients, state_path: str, **kw) -> "Scaffold":
        with open(state_path) as f:
            return cls(clients, ScaffoldState(**json.load(f)), state_path, **kw)

    # ---- create ---------------------------------------------------------------------------------

    def create(self) -> ScaffoldState:
        s, ec2, rid = self.s, self.c("ec2"), self.s.run_id
        self._save()
        s.vpc_id = ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=_spec("vpc", rid, _name(rid, "vpc")))["Vpc"]["VpcId"]
        self._save()
        self.log(f"scaffold: VPC {s.vpc_id}")
        ec2.get_waiter("vpc_available").wait(VpcIds=[s.vpc_id])
        for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
            ec2.modify_vpc_attribute(VpcId=s.vpc_id, **{attr: {"Value": True}})
        zones = [z for z in ec2.describe_availability_zones(
            Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}])
            ["AvailabilityZones"]]
        for az, cidr in zip(sorted(z["ZoneName"] for z in zones)[:2], SUBNET_CIDRS):
            sid = ec2.create_subnet(VpcId=s.vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                                    TagSpecifications=_spec("subnet", rid, _name(rid, f"private-{az}")))["Subnet"]["SubnetId"]
            s.subnet_ids.append(sid)
            s.azs.append(az)
            self._save()
        s.alb_sg_id = ec2.create_security_group(
            GroupName=_name(rid, "alb"), Description="evrelay acceptance: the internal ALB (HTTP from the VPC)",
            VpcId=s.vpc_id, TagSpecifications=_spec("security-group", rid, _name(rid, "alb")))["GroupId"]
        self._save()
        ec2.authorize_security_group_ingress(GroupId=s.alb_sg_id, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": CIDR}]}])
        s.relay_sg_id = ec2.create_security_group(
            GroupName=_name(rid, "relay"), Description="evrelay acceptance: the relay function (egress only)",
            VpcId=s.vpc_id, TagSpecifications=_spec("security-group", rid, _name(rid, "relay")))["GroupId"]
        self._save()
        self._create_target()
        self._create_alb()
        self.log(f"scaffold: internal ALB {s.alb_dns} -> Lambda {s.function_name}")
        return s

    def _create_target(self) -> None:
        s, rid, iam, lam, logs = self.s, self.s.run_id, self.c("iam"), self.c("lambda"), self.c("logs")
        # IAM is global: a pair's second Region names its role itself (ScaffoldState.role_name).
        s.role_name = s.role_name or _name(rid, "target")
        self._save()
        role = iam.create_role(RoleName=s.role_name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
                               Description="evrelay acceptance: the ALB target function",
                               Tags=_tags(rid, s.role_name))["Role"]
        s.function_name = _name(rid, "target")
        s.log_group = f"/aws/lambda/{s.function_name}"
        self._save()
        # Made here, tagged, so the tag scan sees it (Lambda would create it untagged).
        logs.create_log_group(logGroupName=s.log_group, tags={TAG_KEY: rid})
        logs.put_retention_policy(logGroupName=s.log_group, retentionInDays=1)
        acct = role["Arn"].split(":")[4]
        part = role["Arn"].split(":")[1]
        iam.put_role_policy(RoleName=s.role_name, PolicyName="target", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"arn:{part}:logs:{self.c.region}:{acct}:log-group:{s.log_group}:*"},
                # The relay stacks' own secrets (`<stack>-api-key`); the stacks are named from the run id.
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                 "Resource": f"arn:{part}:secretsmanager:{self.c.region}:{acct}:secret:{rid}-*"}]}))
        deadline = time.monotonic() + 120
        while True:  # a new role takes a few seconds before Lambda can assume it
            try:
                lam.create_function(
                    FunctionName=s.function_name, Runtime="python3.12", Handler="target_app.handler",
                    Role=role["Arn"], Code={"ZipFile": _code_zip()}, Timeout=10, MemorySize=128,
                    Description="evrelay acceptance: the endpoint behind the internal ALB",
                    Environment={"Variables": {"REFUSE": "0", "SECRET_ARN": ""}}, Tags={TAG_KEY: rid})
                break
            except ClientError as e:
                if _code(e) != "InvalidParameterValueException" or time.monotonic() > deadline:
                    raise
                time.sleep(self.poll)
        self._wait_function()

    def _create_alb(self) -> None:
        s, rid, elb, lam = self.s, self.s.run_id, self.c("elbv2"), self.c("lambda")
        s.target_group_arn = elb.create_target_group(
            Name=_name(rid, "tg"), TargetType="lambda", Tags=_tags(rid, _name(rid, "tg")))["TargetGroups"][0]["TargetGroupArn"]
        self._save()
        fn_arn = lam.get_function_configuration(FunctionName=s.function_name)["FunctionArn"]
        # ELB invokes the function only with this permission, granted before RegisterTargets.
        lam.add_permission(FunctionName=s.function_name, StatementId="elb-invoke", Action="lambda:InvokeFunction",
                           Principal="elasticloadbalancing.amazonaws.com", SourceArn=s.target_group_arn)
        elb.register_targets(TargetGroupArn=s.target_group_arn, Targets=[{"Id": fn_arn}])
        lb = elb.create_load_balancer(
            Name=_name(rid, "alb"), Subnets=s.subnet_ids, SecurityGroups=[s.alb_sg_id], Scheme="internal",
            Type="application", IpAddressType="ipv4", Tags=_tags(rid, _name(rid, "alb")))["LoadBalancers"][0]
        s.alb_arn, s.alb_dns = lb["LoadBalancerArn"], lb["DNSName"]
        self._save()
        s.listener_arn = elb.create_listener(
            LoadBalancerArn=s.alb_arn, Protocol="HTTP", Port=80, Tags=_tags(rid, _name(rid, "http")),
            DefaultActions=[{"Type": "forward", "TargetGroupArn": s.target_group_arn}])["Listeners"][0]["ListenerArn"]
        self._save()
        elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[s.alb_arn])

    # ---- the target's switches (no key in them: an ARN and a flag) --------------------------------

    def _wait_function(self) -> None:
        self.c("lambda").get_waiter("function_active_v2").wait(FunctionName=self.s.function_name)

    def configure_target(self, *, secret_arn: str | None = None, refuse: bool | None = None) -> None:
        lam = self.c("lambda")
        env = lam.get_function_configuration(FunctionName=self.s.function_name)["Environment"]["Variables"]
        if secret_arn is not None:
            env["SECRET_ARN"] = secret_arn
        if refuse is not None:
            env["REFUSE"] = "1" if refuse else "0"
        lam.update_function_configuration(FunctionName=self.s.function_name, Environment={"Variables": env})
        lam.get_waiter("function_updated_v2").wait(FunctionName=self.s.function_name)

    # ---- teardown -------------------------------------------------------------------------------

    def teardown(self, deadline_seconds: float = 1800) -> list[tuple[str, str]]:
        """Remove the scaffolding in dependency order; retry what is still held until the
        deadline. Returns [(what, command that removes it)] for what is left."""
        deadline = time.monotonic() + deadline_seconds
        s, left = self.s, []
        steps = [
            (f"listener {s.listener_arn}", s.listener_arn, self._del_listener),
            (f"load balancer {s.alb_arn}", s.alb_arn, self._del_alb),
            (f"target group {s.target_group_arn}", s.target_group_arn, self._del_tg),
            (f"Lambda function {s.function_name}", s.function_name, self._del_function),
            (f"log group {s.log_group}", s.log_group, self._del_log_group),
            (f"IAM role {s.role_name}", s.role_name, self._del_role),
            ("VPC endpoints in the VPC", s.vpc_id, self._del_endpoints),
            (f"security group {s.relay_sg_id}", s.relay_sg_id, lambda: self._del_sg(s.relay_sg_id)),
            (f"security group {s.alb_sg_id}", s.alb_sg_id, lambda: self._del_sg(s.alb_sg_id)),
            *[(f"subnet {sid}", sid, (lambda sid=sid: self._del_subnet(sid))) for sid in s.subnet_ids],
            (f"VPC {s.vpc_id}", s.vpc_id, self._del_vpc),
        ]
        for what, ident, fn in steps:
            if not ident:
                continue
            while True:
                try:
                    fn()
                    break
                except (ClientError, BotoCoreError) as e:
                    # A waiter's timeout or a dropped connection is worth another try too.
                    code = _code(e) if isinstance(e, ClientError) else type(e).__name__
                    if code in NOT_FOUND:
                        break
                    retry = code in STILL_HELD or not isinstance(e, ClientError)
                    if not retry or time.monotonic() > deadline:
                        self.log(f"scaffold: could not remove {what}: {code}: {e}")
                        left.append((what, removal_command(what, ident, self.c.region)))
                        break
                    self.log(f"scaffold: {what} still held ({code}); retrying")
                    time.sleep(self.poll)
        return left

    def _del_listener(self):
        self.c("elbv2").delete_listener(ListenerArn=self.s.listener_arn)

    def _del_alb(self):
        elb = self.c("elbv2")
        elb.delete_load_balancer(LoadBalancerArn=self.s.alb_arn)
        elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[self.s.alb_arn])

    def _del_tg(self):
        self.c("elbv2").delete_target_group(TargetGroupArn=self.s.target_group_arn)

    def _del_function(self):
        self.c("lambda").delete_function(FunctionName=self.s.function_name)

    def _del_log_group(self):
        self.c("logs").delete_log_group(logGroupName=self.s.log_group)

    def _del_role(self):
        iam = self.c("iam")
        for p in iam.list_role_policies(RoleName=self.s.role_name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=self.s.role_name, PolicyName=p)
        iam.delete_role(RoleName=self.s.role_name)

    def _del_endpoints(self):
        """Anything left in the throwaway VPC is the run's: an endpoint evrelay kept or handed
        over (private DNS serves the whole VPC, the ALB's interfaces included) would hold it."""
        ec2 = self.c("ec2")
        eps = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [self.s.vpc_id]}])["VpcEndpoints"]
               if e["State"].lower() not in ("deleted", "deleting")]
        if eps:
            self.log(f"scaffold: deleting endpoints left in the VPC: {', '.join(eps)}")
            ec2.delete_vpc_endpoints(VpcEndpointIds=eps)

    def _del_sg(self, gid: str):
        self.c("ec2").delete_security_group(GroupId=gid)

    def _del_subnet(self, sid: str):
        self.c("ec2").delete_subnet(SubnetId=sid)

    def _del_vpc(self):
        ec2 = self.c("ec2")
        # Groups evrelay made for its endpoints and did not remove also hold the VPC.
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.s.vpc_id]}])["SecurityGroups"]:
            if g["GroupName"] != "default":
                ec2.delete_security_group(GroupId=g["GroupId"])
        ec2.delete_vpc(VpcId=self.s.vpc_id)


NOT_FOUND = {
    "ListenerNotFound", "LoadBalancerNotFound", "TargetGroupNotFound", "ResourceNotFoundException",
    "NoSuchEntity", "InvalidGroup.NotFound", "InvalidSubnetID.NotFound", "InvalidVpcID.NotFound",
    "InvalidVpcEndpointId.NotFound",
}
# What AWS answers while a deleted ALB's or VPC function's interfaces still hold a resource.
STILL_HELD = {"DependencyViolation", "ResourceInUse", "InvalidGroup.InUse", "Throttling",
              "ThrottlingException", "TooManyRequestsException", "ResourceConflictException"}


def removal_command(what: str, ident: str, region: str) -> str:
    r = f"--region {region}"
    kind = what.split(" ")[0]
    if what.startswith("listener"):
        return f"aws elbv2 delete-listener {r} --listener-arn {ident}"
    if what.startswith("load balancer"):
        return f"aws elbv2 delete-load-balancer {r} --load-balancer-arn {ident}"
    if what.startswith("target group"):
        return f"aws elbv2 delete-target-group {r} --target-group-arn {ident}"
    if what.startswith("Lambda"):
        return f"aws lambda delete-function {r} --function-name {ident}"
    if what.startswith("log group"):
        return f"aws logs delete-log-group {r} --log-group-name {ident}"
    if what.startswith("IAM role"):
        return f"aws iam delete-role-policy --role-name {ident} --policy-name target && aws iam delete-role --role-name {ident}"
    if what.startswith("VPC endpoints"):
        return (f"aws ec2 delete-vpc-endpoints {r} --vpc-endpoint-ids $(aws ec2 describe-vpc-endpoints {r} "
                f"--filters Name=vpc-id,Values={ident} --query 'VpcEndpoints[].VpcEndpointId' --output text)")
    if what.startswith("security group"):
        return f"aws ec2 delete-security-group {r} --group-id {ident}"
    if kind == "subnet":
        return f"aws ec2 delete-subnet {r} --subnet-id {ident}"
    return f"aws ec2 delete-vpc {r} --vpc-id {ident}"
