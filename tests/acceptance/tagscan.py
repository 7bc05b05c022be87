"""The proof that nothing is left: a tag scan of everything evrelay or the scaffolding made.

Resource Groups Tagging API GetResources for `evrelay:stack=<stack>` and the run's own tag
(`evrelay-acceptance=<run id>`), plus the describes the Tagging API does not cover or may lag
on: the VPC's endpoints, security groups and network interfaces, the VPC itself, and
CloudFormation ListStacks. Each leftover comes with the command that removes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from scaffold import TAG_KEY, Clients

GONE_STACK = {"DELETE_COMPLETE"}
SHARED_LOGS_POLICY = "evrelay-events-logs"  # src/aws/logs_policy.rs


@dataclass(frozen=True)
class Leftover:
    kind: str
    ident: str
    command: str

    def __str__(self) -> str:
        return f"{self.kind} {self.ident}\n    remove: {self.command}"


def _removal_for_arn(arn: str, region: str) -> tuple[str, str, str]:
    """(kind, id, command) for an ARN the Tagging API returned; EC2 resources by their id, so
    the describes below do not list them twice."""
    r = f"--region {region}"
    parts = arn.split(":", 5)
    service, rest = parts[2], parts[5] if len(parts) > 5 else ""
    if service == "elasticloadbalancing":
        if rest.startswith("targetgroup/"):
            return "target group", arn, f"aws elbv2 delete-target-group {r} --target-group-arn {arn}"
        if rest.startswith("listener"):
            return "listener", arn, f"aws elbv2 delete-listener {r} --listener-arn {arn}"
        return "load balancer", arn, f"aws elbv2 delete-load-balancer {r} --load-balancer-arn {arn}"
    if service == "lambda":
        return "Lambda function", arn, f"aws lambda delete-function {r} --function-name {arn}"
    if service == "sqs":
        name = rest
        return "SQS queue", arn, (f"aws sqs delete-queue {r} --queue-url "
                             f"$(aws sqs get-queue-url {r} --queue-name {name} --query QueueUrl --output text)")
    if service == "events":
        if rest.startswith("event-bus/"):
            return "event bus", arn, f"aws events delete-event-bus {r} --name {rest.split('/', 1)[1]}"
        bits = rest.split("/")
        bus, rule = (bits[1], bits[2]) if len(bits) == 3 else ("default", bits[-1])
        return "EventBridge rule", arn, (f"aws events remove-targets {r} --event-bus-name {bus} --rule {rule} --ids "
                                    f"$(aws events list-targets-by-rule {r} --event-bus-name {bus} --rule {rule} "
                                    f"--query 'Targets[].Id' --output text) && "
                                    f"aws events delete-rule {r} --event-bus-name {bus} --name {rule}")
    if service == "secretsmanager":
        return "secret", arn, f"aws secretsmanager delete-secret {r} --secret-id {arn} --force-delete-without-recovery"
    if service == "logs":
        name = rest.split(":", 1)[1] if rest.startswith("log-group:") else rest
        return "log group", arn, f"aws logs delete-log-group {r} --log-group-name {name.removesuffix(':*')}"
    if service == "iam" and rest.startswith("role/"):
        name = rest.split("/")[-1]
        return "IAM role", arn, (f"for p in $(aws iam list-role-policies --role-name {name} --query PolicyNames --output text); "
                            f"do aws iam delete-role-policy --role-name {name} --policy-name $p; done; "
                            f"aws iam delete-role --role-name {name}")
    if service == "route53" and rest.startswith("healthcheck/"):
        hc = rest.split("/", 1)[1]
        return "Route 53 health check", hc, f"aws route53 delete-health-check --health-check-id {hc}"
    if service == "cloudwatch" and rest.startswith("alarm:"):
        name = rest.split(":", 1)[1]
        return "CloudWatch alarm", name, f"aws cloudwatch delete-alarms {r} --alarm-names {name}"
    if service == "ec2":
        kind, _, ident = rest.partition("/")
        verb = {"vpc": ("delete-vpc", "--vpc-id"), "subnet": ("delete-subnet", "--subnet-id"),
                "security-group": ("delete-security-group", "--group-id"),
                "vpc-endpoint": ("delete-vpc-endpoints", "--vpc-endpoint-ids"),
                "network-interface": ("delete-network-interface", "--network-interface-id")}.get(kind)
        if verb:
            return kind.replace("-", " "), ident, f"aws ec2 {verb[0]} {r} {verb[1]} {ident}"
    return service, arn, f"aws resourcegroupstaggingapi get-resources {r} --resource-arn-list {arn}  # then delete it in its service"


def _secret_scheduled_for_deletion(clients: Clients, arn: str) -> bool:
    """A deleted secret stays listed (with its tags) until its recovery window ends: it is
    gone for the run's purpose and cannot be used or billed as a live secret."""
    try:
        return bool(clients("secretsmanager").describe_secret(SecretId=arn).get("DeletedDate"))
    except ClientError:
        return True


def tagged(clients: Clients, key: str, value: str) -> list[str]:
    tagging = clients("resourcegroupstaggingapi")
    arns, token = [], ""
    while True:
        page = tagging.get_resources(TagFilters=[{"Key": key, "Values": [value]}], PaginationToken=token)
        arns += [m["ResourceARN"] for m in page.get("ResourceTagMappingList", [])]
        token = page.get("PaginationToken") or ""
        if not token:
            return arns


def leftovers(clients: Clients, stack: str, run_id: str, vpc_id: str | None,
              role_names: tuple[str, ...] = ()) -> list[Leftover]:
    region, out, seen = clients.region, [], set()

    def add(kind: str, ident: str, command: str) -> None:
        if ident not in seen:
            seen.add(ident)
            out.append(Leftover(kind, ident, command))

    for key, value in (("evrelay:stack", stack), (TAG_KEY, run_id)):
        for arn in tagged(clients, key, value):
            if ":secretsmanager:" in arn and _secret_scheduled_for_deletion(clients, arn):
                continue
            if ":cloudformation:" in arn:
                continue  # a stack's tags outlive it in the Tagging API: ListStacks below decides
            add(*_removal_for_arn(arn, region))

    ec2, r = clients("ec2"), f"--region {region}"
    by_tag = [{"Name": "tag:evrelay:stack", "Values": [stack]}]
    scopes = [by_tag] + ([[{"Name": "vpc-id", "Values": [vpc_id]}]] if vpc_id else [])
    for flt in scopes:
        for e in ec2.describe_vpc_endpoints(Filters=flt)["VpcEndpoints"]:
            if e["State"].lower() not in ("deleted", "deleting"):
                add("VPC endpoint", e["VpcEndpointId"], f"aws ec2 delete-vpc-endpoints {r} --vpc-endpoint-ids {e['VpcEndpointId']}")
        for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"]:
            if g["GroupName"] != "default":
                add("security group", g["GroupId"], f"aws ec2 delete-security-group {r} --group-id {g['GroupId']}")
        for n in ec2.describe_network_interfaces(Filters=flt)["NetworkInterfaces"]:
            add("network interface", n["NetworkInterfaceId"],
                f"aws ec2 delete-network-interface {r} --network-interface-id {n['NetworkInterfaceId']}"
                f"  # {n.get('Description') or ''}; a Lambda VPC interface is released by AWS up to ~45 min after its function")
    for v in ec2.describe_vpcs(Filters=[{"Name": f"tag:{TAG_KEY}", "Values": [run_id]}])["Vpcs"]:
        add("VPC", v["VpcId"], f"aws ec2 delete-vpc {r} --vpc-id {v['VpcId']}")

    iam = clients("iam")
    for name in role_names:  # the Tagging API may not list IAM roles
        try:
            iam.get_role(RoleName=name)
        except ClientError:
            continue
        add("IAM role", name, _removal_for_arn(f"arn:aws:iam::0:role/{name}", region)[2])

    cfn = clients("cloudformation")
    # The region's shared Logs resource policy evrelay adds for its bus's log group: not
    # taggable; it goes with the last relay in the region.
    others = [st["StackName"] for page in cfn.get_paginator("describe_stacks").paginate() for st in page["Stacks"]
              if st["StackName"] not in pair_stacks(stack) and st["StackStatus"] != "DELETE_COMPLETE"
              and {"Key": "evrelay:managed", "Value": "true"} in st.get("Tags", [])]
    if not others:
        names = [p["policyName"] for p in clients("logs").describe_resource_policies().get("resourcePolicies", [])]
        if SHARED_LOGS_POLICY in names:
            add("Logs resource policy", SHARED_LOGS_POLICY,
                f"aws logs delete-resource-policy {r} --policy-name {SHARED_LOGS_POLICY}  # no other evrelay relay is left in {region}")
    for page in cfn.get_paginator("list_stacks").paginate():
        for st in page["StackSummaries"]:
            if st["StackName"] in pair_stacks(stack) and st["StackStatus"] not in GONE_STACK:
                add("CloudFormation stack", st["StackName"],
                    f"evrelay --region {region} --stack {stack} destroy --yes  # or: aws cloudformation delete-stack {r} --stack-name {st['StackName']}")
    pair_leftovers(clients, stack, add, r)
    return out


def pair_stacks(stack: str) -> tuple[str, ...]:
    """The relay's stack, and a pair's endpoint and archive stacks (src/names.rs GlobalNames)."""
    return (stack, f"{stack}-endpoint", f"{stack}-archive")


def pair_leftovers(clients: Clients, stack: str, add, r: str) -> None:
    """What a relay pair makes that the Tagging API may not list: the global endpoint and the
    archive (not taggable), the latency alarm, and the Route 53 health check on it."""
    events = clients("events")
    for e in events.list_endpoints(NamePrefix=stack).get("Endpoints", []):
        if e["Name"] == stack:
            # By ARN: its name is the relay stack's, already an ident here.
            add("EventBridge global endpoint", e["Arn"], f"aws events delete-endpoint {r} --name {e['Name']}")
    for a in events.list_archives().get("Archives", []):
        if a.get("EventSourceArn", "").endswith(f":event-bus/{stack}-bus") and a.get("State") != "DELETING":
            add("EventBridge archive", a["ArchiveName"], f"aws events delete-archive {r} --archive-name {a['ArchiveName']}")
    alarm = f"{stack}-primary-latency"
    for a in clients("cloudwatch").describe_alarms(AlarmNames=[alarm]).get("MetricAlarms", []):
        add("CloudWatch alarm", a["AlarmName"], f"aws cloudwatch delete-alarms {r} --alarm-names {a['AlarmName']}")
    for page in clients("route53").get_paginator("list_health_checks").paginate():
        for hc in page["HealthChecks"]:
            if (hc.get("CloudWatchAlarmConfiguration") or {}).get("AlarmName") == alarm:
                add("Route 53 health check", hc["Id"], f"aws route53 delete-health-check --health-check-id {hc['Id']}")


def leftovers_in_regions(clients: dict[str, Clients], stack: str, run_id: str, vpc_ids: dict[str, str | None],
                         role_names: tuple[str, ...] = ()) -> list[Leftover]:
    """The same scan in each Region (a relay pair: the stack's name is the same in both).
    IAM is global: each role is looked for once, with the first Region."""
    out: list[Leftover] = []
    for i, (region, c) in enumerate(clients.items()):
        # Route 53 is global too: a health check found from both Regions is one leftover.
        out += [x for x in leftovers(c, stack, run_id, vpc_ids.get(region), role_names if i == 0 else ())
                if x not in out]
    return out
