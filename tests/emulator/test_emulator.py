"""Each strict-emulator rule, checked against the launcher itself (pytest tests/emulator)."""

import contextlib
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from launch import emulator


@pytest.fixture(scope="module")
def endpoint():
    with emulator(EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW="2") as url:
        yield url


def client(endpoint, service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def _vpc(ec2, dns: bool):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    if dns:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc, subnet


def _endpoint(ec2, vpc, subnet, service="secretsmanager", groups=()):
    return ec2.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc,
        ServiceName=f"com.amazonaws.us-east-1.{service}",
        SubnetIds=[subnet],
        SecurityGroupIds=list(groups),
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]


def test_private_dns_needs_both_vpc_dns_attributes(endpoint):
    ec2 = client(endpoint, "ec2")
    vpc, subnet = _vpc(ec2, dns=False)
    with pytest.raises(ClientError) as e:
        _endpoint(ec2, vpc, subnet)
    assert e.value.response["Error"]["Code"] == "InvalidParameter"
    assert "enableDnsHostnames" in e.value.response["Error"]["Message"]
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert not found["VpcEndpoints"]


def test_a_second_private_dns_endpoint_for_a_service_conflicts(endpoint):
    ec2 = client(endpoint, "ec2")
    vpc, subnet = _vpc(ec2, dns=True)
    first = _endpoint(ec2, vpc, subnet)
    with pytest.raises(ClientError) as e:
        _endpoint(ec2, vpc, subnet)
    message = e.value.response["Error"]["Message"]
    assert "conflicting DNS domain for secretsmanager.us-east-1.amazonaws.com" in message
    _endpoint(ec2, vpc, subnet, service="events")  # another service is no conflict
    ec2.delete_vpc_endpoints(VpcEndpointIds=[first])
    _endpoint(ec2, vpc, subnet)  # the deleted one no longer holds the name


def test_a_group_an_endpoint_uses_cannot_be_deleted(endpoint):
    ec2 = client(endpoint, "ec2")
    vpc, subnet = _vpc(ec2, dns=True)
    sg = ec2.create_security_group(GroupName="ep", Description="ep", VpcId=vpc)["GroupId"]
    vpce = _endpoint(ec2, vpc, subnet, groups=[sg])
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=sg)
    assert e.value.response["Error"]["Code"] == "DependencyViolation"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    ec2.delete_security_group(GroupId=sg)


def test_a_deleted_queue_name_is_blocked_for_the_window(endpoint):
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="blocked")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="blocked")
    assert "QueueDeletedRecently" in e.value.response["Error"]["Code"]
    sqs.create_queue(QueueName="another")  # other names are free
    deadline = time.monotonic() + 10
    while True:  # the window is 2 s here: poll until it has passed, no fixed sleep
        try:
            sqs.create_queue(QueueName="blocked")
            break
        except ClientError:
            assert time.monotonic() < deadline, "the name stayed blocked past the window"
            time.sleep(0.2)


def test_the_logs_resource_policy_quota_is_ten(endpoint):
    logs = client(endpoint, "logs")
    for i in range(10):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument="{}")
    logs.put_resource_policy(policyName="p3", policyDocument='{"v": 2}')  # an update takes no slot
    with pytest.raises(ClientError) as e:
        logs.put_resource_policy(policyName="p10", policyDocument="{}")
    assert e.value.response["Error"]["Code"] == "LimitExceededException"
    for i in range(10):
        logs.delete_resource_policy(policyName=f"p{i}")


def test_private_nat_gateways_are_reported_as_private(endpoint):
    ec2 = client(endpoint, "ec2")
    _, subnet = _vpc(ec2, dns=True)
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]
    found = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]
    assert found["ConnectivityType"] == "private"


def test_a_deleted_stack_is_listed_with_its_deletion_time(endpoint):
    cfn = client(endpoint, "cloudformation")
    body = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    cfn.create_stack(StackName="gone", TemplateBody=body)
    cfn.delete_stack(StackName="gone")
    [summary] = [s for s in cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
                 if s["StackName"] == "gone"]
    assert summary["DeletionTime"] >= summary["CreationTime"]


def test_stack_parameters_are_strings_and_no_echo_ones_are_masked(endpoint):
    cfn = client(endpoint, "cloudformation")
    body = (
        '{"Parameters": {"Ids": {"Type": "CommaDelimitedList"}, "Key": {"Type": "String", "NoEcho": true}},'
        ' "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    )
    cfn.create_stack(StackName="params", TemplateBody=body, Parameters=[
        {"ParameterKey": "Ids", "ParameterValue": "subnet-a,subnet-b"},
        {"ParameterKey": "Key", "ParameterValue": "hunter22"},
    ])
    [stack] = cfn.describe_stacks(StackName="params")["Stacks"]
    values = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert values == {"Ids": "subnet-a,subnet-b", "Key": "****"}


_CHANGE_SET_TEMPLATE = """
Parameters:
  Key:
    Type: String
    NoEcho: true
  Name:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


def _change_set(cfn, stack, name, kind):
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        Tags=[{"Key": "team", "Value": "payments"}],
        TemplateBody=_CHANGE_SET_TEMPLATE,
        Parameters=[
            {"ParameterKey": "Key", "ParameterValue": "s3cret"},
            {"ParameterKey": "Name", "ParameterValue": name},
        ],
    )


def test_a_change_set_is_found_only_on_its_stack_with_its_tags_and_noecho_masked(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "cs-one", "cs-a", "CREATE")
    described = cfn.describe_change_set(StackName="cs-one", ChangeSetName="cs-a")
    values = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert values == {"Key": "****", "Name": "cs-a"}
    assert described["Tags"] == [{"Key": "team", "Value": "payments"}]
    with pytest.raises(ClientError) as e:
        _change_set(cfn, "cs-one", "cs-a", "CREATE")
    assert e.value.response["Error"]["Code"] == "AlreadyExistsException"
    for stack, name in [("cs-other", "cs-a"), ("cs-one", "cs-missing")]:
        with pytest.raises(ClientError) as e:
            cfn.describe_change_set(StackName=stack, ChangeSetName=name)
        assert e.value.response["Error"]["Code"] == "ChangeSetNotFound"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_executing_a_change_set_deletes_the_stacks_others_and_runs_once(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "cs-two", "cs-first", "CREATE")
    cfn.execute_change_set(StackName="cs-two", ChangeSetName="cs-first")
    _change_set(cfn, "cs-two", "cs-kept", "UPDATE")
    _change_set(cfn, "cs-two", "cs-run", "UPDATE")
    cfn.execute_change_set(StackName="cs-two", ChangeSetName="cs-run")
    with pytest.raises(ClientError) as e:
        cfn.describe_change_set(StackName="cs-two", ChangeSetName="cs-kept")
    assert e.value.response["Error"]["Code"] == "ChangeSetNotFound"
    with pytest.raises(ClientError) as e:
        cfn.execute_change_set(StackName="cs-two", ChangeSetName="cs-run")
    assert e.value.response["Error"]["Code"] == "InvalidChangeSetStatus"


def test_creating_a_stack_whose_log_group_exists_rolls_back_and_keeps_the_group(endpoint):
    logs = client(endpoint, "logs")
    cfn = client(endpoint, "cloudformation")
    logs.create_log_group(logGroupName="/aws/lambda/leftover-relay")
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "leftover-q"}},
            "LogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "DependsOn": "Queue",
                "Properties": {"LogGroupName": "/aws/lambda/leftover-relay"},
            },
        }
    }
    import json

    cfn.create_stack(StackName="leftover", TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName="leftover")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cfn.describe_stack_events(StackName="leftover")["StackEvents"]
    ]
    assert any("'/aws/lambda/leftover-relay' already exists" in r for r in reasons), reasons
    # What the stack made is gone; the group that was there before is not.
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert "/aws/lambda/leftover-relay" in names
    queues = client(endpoint, "sqs").list_queues(QueueNamePrefix="leftover-q")
    assert not queues.get("QueueUrls"), queues

    # The same through a change set: the execution fails, the stack rolls back.
    cfn.create_change_set(
        StackName="leftover2",
        ChangeSetName="cs1",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template).replace("leftover-q", "leftover2-q"),
    )
    cfn.execute_change_set(StackName="leftover2", ChangeSetName="cs1")
    stack = cfn.describe_stacks(StackName="leftover2")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert "/aws/lambda/leftover-relay" in names


def test_the_entries_of_a_prefix_list_that_does_not_exist_cannot_be_read(endpoint):
    ec2 = client(endpoint, "ec2")
    pl = ec2.create_managed_prefix_list(
        PrefixListName="vpc-ranges",
        AddressFamily="IPv4",
        MaxEntries=5,
        Entries=[{"Cidr": "10.0.0.0/16"}],
    )["PrefixList"]["PrefixListId"]
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=pl)["Entries"]
    assert [e["Cidr"] for e in entries] == ["10.0.0.0/16"]
    # AWS-managed lists are readable too.
    s3 = next(
        p["PrefixListId"]
        for p in ec2.describe_managed_prefix_lists()["PrefixLists"]
        if p["PrefixListName"] == "com.amazonaws.us-east-1.s3"
    )
    ec2.get_managed_prefix_list_entries(PrefixListId=s3)
    for missing in ("pl-0123456789abcdef0", pl):
        if missing == pl:
            ec2.delete_managed_prefix_list(PrefixListId=pl)
        with pytest.raises(ClientError) as e:
            ec2.get_managed_prefix_list_entries(PrefixListId=missing)
        assert e.value.response["Error"]["Code"] == "InvalidPrefixListID.NotFound"


def test_an_endpoint_subnet_must_be_in_a_zone_the_service_is_offered_in(endpoint):
    # Every zone is offered by default: the rule changes nothing there.
    ec2 = client(endpoint, "ec2")
    detail = ec2.describe_vpc_endpoint_services(
        ServiceNames=["com.amazonaws.us-east-1.secretsmanager"]
    )["ServiceDetails"][0]
    assert "us-east-1c" in detail["AvailabilityZones"]

    with emulator(EVRELAY_EMULATOR_UNOFFERED_ZONES="secretsmanager@us-east-1c") as url:
        ec2 = client(url, "ec2")
        detail = ec2.describe_vpc_endpoint_services(
            ServiceNames=["com.amazonaws.us-east-1.secretsmanager"]
        )["ServiceDetails"][0]
        assert "us-east-1c" not in detail["AvailabilityZones"]
        assert "us-east-1a" in detail["AvailabilityZones"]
        vpc, _ = _vpc(ec2, dns=True)
        in_c = ec2.create_subnet(
            VpcId=vpc, CidrBlock="10.9.2.0/24", AvailabilityZone="us-east-1c"
        )["Subnet"]["SubnetId"]
        with pytest.raises(ClientError) as e:
            _endpoint(ec2, vpc, in_c)
        assert "does not support the availability zone" in str(e.value)
        # Another service is offered there.
        _endpoint(ec2, vpc, in_c, service="events")

def test_a_create_change_set_for_a_stack_under_review_goes_onto_that_stack(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "cs-review", "cs-a", "CREATE")
    _change_set(cfn, "cs-review", "cs-b", "CREATE")
    first = cfn.describe_change_set(StackName="cs-review", ChangeSetName="cs-a")
    second = cfn.describe_change_set(StackName="cs-review", ChangeSetName="cs-b")
    assert second["StackId"] == first["StackId"]
    summaries = cfn.list_change_sets(StackName=first["StackId"])["Summaries"]
    names = [c["ChangeSetName"] for c in summaries]
    assert sorted(names) == ["cs-a", "cs-b"]
    live = [
        s
        for s in cfn.list_stacks()["StackSummaries"]
        if s["StackName"] == "cs-review" and s["StackStatus"] != "DELETE_COMPLETE"
    ]
    assert len(live) == 1
    cfn.execute_change_set(StackName="cs-review", ChangeSetName="cs-a")
    with pytest.raises(ClientError) as e:
        _change_set(cfn, "cs-review", "cs-c", "CREATE")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert "already exists" in e.value.response["Error"]["Message"]


def test_list_change_sets_lists_only_the_named_stack_s(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "cs-list-a", "cs-1", "CREATE")
    _change_set(cfn, "cs-list-b", "cs-2", "CREATE")
    summaries = cfn.list_change_sets(StackName="cs-list-a")["Summaries"]
    assert [c["ChangeSetName"] for c in summaries] == ["cs-1"]


def test_a_change_set_without_a_type_is_an_update(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "cs-default", "cs-new", "CREATE")
    cfn.execute_change_set(StackName="cs-default", ChangeSetName="cs-new")
    cfn.create_change_set(
        StackName="cs-default",
        ChangeSetName="cs-untyped",
        TemplateBody=_CHANGE_SET_TEMPLATE,
        Parameters=[
            {"ParameterKey": "Key", "ParameterValue": "other"},
            {"ParameterKey": "Name", "ParameterValue": "cs-untyped"},
        ],
    )
    described = cfn.describe_change_set(StackName="cs-default", ChangeSetName="cs-untyped")
    stacks = cfn.describe_stacks(StackName="cs-default")["Stacks"]
    assert described["StackId"] == stacks[0]["StackId"]


# --- recording.py: the IAM action of every request (EVRELAY_EMULATOR_RECORD) -------------------


@pytest.fixture()
def recording(tmp_path):
    record = tmp_path / "actions.txt"
    with emulator(EVRELAY_EMULATOR_RECORD=str(record)) as url:
        yield url, record


def test_every_request_is_recorded_as_its_iam_action_in_each_protocol(recording):
    url, record = recording
    client(url, "sts").get_caller_identity()  # Query, form body
    client(url, "ec2").describe_vpcs()  # EC2 Query
    client(url, "elbv2").describe_load_balancers()  # Query; IAM prefix elasticloadbalancing
    client(url, "sqs").create_queue(QueueName="rec")  # JSON (X-Amz-Target: AmazonSQS.…)
    client(url, "events").list_event_buses()  # JSON; IAM prefix events
    client(url, "lambda").list_functions()  # REST: GET /2015-03-31/functions/
    client(url, "route53").list_hosted_zones()  # REST XML
    lines = record.read_text().splitlines()
    assert lines == [
        "sts:GetCallerIdentity",
        "ec2:DescribeVpcs",
        "elasticloadbalancing:DescribeLoadBalancers",
        "sqs:CreateQueue",
        "events:ListEventBuses",
        "lambda:ListFunctions",
        "route53:ListHostedZones",
    ]


def test_a_protected_stack_is_not_deleted_until_its_protection_is_lifted(endpoint):
    cfn = client(endpoint, "cloudformation")
    body = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    cfn.create_stack(StackName="guarded", TemplateBody=body, EnableTerminationProtection=True)
    with pytest.raises(ClientError) as refused:
        cfn.delete_stack(StackName="guarded")
    assert "cannot be deleted while TerminationProtection is enabled" in str(refused.value)
    assert cfn.describe_stacks(StackName="guarded")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_termination_protection(StackName="guarded", EnableTerminationProtection=False)
    cfn.delete_stack(StackName="guarded")
    assert not [s for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]
                if s["StackName"] == "guarded"]


def test_a_stack_whose_service_role_is_gone_is_deleted_only_with_another_role(endpoint):
    cfn, iam = client(endpoint, "cloudformation"), client(endpoint, "iam")
    body = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    gone = "arn:aws:iam::123456789012:role/deleted-deployer"
    cfn.create_stack(StackName="orphaned", TemplateBody=body, RoleARN=gone)
    with pytest.raises(ClientError) as refused:
        cfn.delete_stack(StackName="orphaned")
    assert f"Role {gone} is invalid or cannot be assumed" in str(refused.value)
    role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    cfn.delete_stack(StackName="orphaned", RoleARN=role)
    assert not [s for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]
                if s["StackName"] == "orphaned"]

def test_a_network_interface_holds_its_group_subnet_and_vpc(endpoint):
    ec2 = client(endpoint, "ec2")
    vpc, subnet = _vpc(ec2, dns=False)
    group = ec2.create_security_group(GroupName="held", Description="held", VpcId=vpc)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[group])["NetworkInterface"]
    for delete in (
        lambda: ec2.delete_security_group(GroupId=group),
        lambda: ec2.delete_subnet(SubnetId=subnet),
        lambda: ec2.delete_vpc(VpcId=vpc),
    ):
        with pytest.raises(ClientError) as e:
            delete()
        assert e.value.response["Error"]["Code"] == "DependencyViolation"
    # Once the interface is gone, all three go, in AWS's order.
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


def test_account_settings_report_what_no_function_reserves(endpoint):
    settings = client(endpoint, "lambda").get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 1000
    assert settings["UnreservedConcurrentExecutions"] <= 1000


def test_a_private_hosted_zone_of_the_service_name_blocks_a_private_dns_endpoint(endpoint):
    ec2 = client(endpoint, "ec2")
    vpc, subnet = _vpc(ec2, dns=True)
    client(endpoint, "route53").create_hosted_zone(
        Name="secretsmanager.us-east-1.amazonaws.com",
        CallerReference="centralised",
        VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        HostedZoneConfig={"PrivateZone": True},
    )
    with pytest.raises(ClientError) as e:
        _endpoint(ec2, vpc, subnet)
    assert "conflicting DNS domain for secretsmanager.us-east-1.amazonaws.com" in str(e.value)
    # Another service's name is free.
    _endpoint(ec2, vpc, subnet, service="events")


# --- Lambda event source mappings (strict/lambda_esm.py) -------------------------------------
def _function_and_queue(endpoint, name, timeout=30, visibility=180):
    iam, lam, sqs = (client(endpoint, s) for s in ("iam", "lambda", "sqs"))
    role = iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
    )["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _zip("def handler(e, c): return {}\n")},
        Timeout=timeout,
    )
    url = sqs.create_queue(
        QueueName=f"{name}-buffer", Attributes={"VisibilityTimeout": str(visibility)}
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return lam, sqs, url, arn["QueueArn"]


def _zip(code: str) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", code)
    return buf.getvalue()


def _refused(call, code: str, text: str) -> None:
    with pytest.raises(ClientError) as e:
        call()
    assert e.value.response["Error"]["Code"] == code
    assert text in e.value.response["Error"]["Message"]


def test_a_mapping_outside_awss_sqs_limits_is_refused(endpoint):
    lam, _, _, arn = _function_and_queue(endpoint, "esm-limits")

    def create(**kw):
        return lambda: lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="esm-limits", **kw
        )

    # botocore validates the ranges client-side: raw callers (CloudFormation) reach the server.
    _refused(create(BatchSize=50), "InvalidParameterValueException", "batch window")
    _refused(
        create(BatchSize=10, FunctionResponseTypes=["Bisect"]),
        "ValidationException",
        "ReportBatchItemFailures",
    )
    ok = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="esm-limits",
        BatchSize=50,
        MaximumBatchingWindowInSeconds=1,
        ScalingConfig={"MaximumConcurrency": 2},
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    assert ok["ScalingConfig"] == {"MaximumConcurrency": 2}
    _refused(
        lambda: lam.update_event_source_mapping(UUID=ok["UUID"], MaximumBatchingWindowInSeconds=0),
        "InvalidParameterValueException",
        "batch window",
    )


def test_a_mapping_on_a_cloudformation_stack_checks_the_concurrency_range(endpoint):
    # boto3 refuses MaximumConcurrency 1 before sending it; CloudFormation does not.
    lam, _, _, arn = _function_and_queue(endpoint, "esm-cfn")
    cfn = client(endpoint, "cloudformation")
    template = {
        "Resources": {
            "Mapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": arn,
                    "FunctionName": "esm-cfn",
                    "ScalingConfig": {"MaximumConcurrency": 1},
                },
            }
        }
    }
    import json

    with pytest.raises(ClientError) as e:
        cfn.create_stack(StackName="esm-cfn", TemplateBody=json.dumps(template))
    assert "greater than or equal to 2" in str(e.value)
    assert lam.list_event_source_mappings(FunctionName="esm-cfn")["EventSourceMappings"] == []


def test_a_function_timeout_above_the_visibility_timeout_is_refused(endpoint):
    lam, _, _, arn = _function_and_queue(endpoint, "esm-vis", timeout=120, visibility=60)
    _refused(
        lambda: lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-vis"),
        "InvalidParameterValueException",
        "Queue visibility timeout: 60 seconds is less than Function timeout: 120 seconds",
    )


def test_an_enabled_mapping_leaves_the_queue_to_its_poller(endpoint):
    # moto's own mapping would receive (and count) every message on SendMessage.
    lam, sqs, url, arn = _function_and_queue(endpoint, "esm-idle")
    esm = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-idle")
    assert lam.get_event_source_mapping(UUID=esm["UUID"])["State"] == "Enabled"
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])
    assert got["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"


def test_maximum_message_size_is_checked_on_set_queue_attributes(endpoint):
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="max-size")["QueueUrl"]
    for bad in ("1023", "1048577"):
        _refused(
            lambda: sqs.set_queue_attributes(
                QueueUrl=url, Attributes={"MaximumMessageSize": bad}
            ),
            "InvalidAttributeValue",
            "MaximumMessageSize",
        )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1048576"})


def test_put_events_refuses_entries_of_256_kb(endpoint):
    events = client(endpoint, "events")
    fixed = len("src") + len("type") + len('{"x":""}')
    entry = {"Source": "src", "DetailType": "type"}
    _refused(
        lambda: events.put_events(
            Entries=[dict(entry, Detail='{"x":"%s"}' % ("a" * (262_144 - fixed)))]
        ),
        "ValidationException",
        "over the limit",
    )
    ok = events.put_events(Entries=[dict(entry, Detail='{"x":"%s"}' % ("a" * (262_143 - fixed)))])
    assert ok["FailedEntryCount"] == 0


def test_an_update_leaves_a_resource_whose_condition_is_false_alone(endpoint):
    import json

    cfn, sqs = client(endpoint, "cloudformation"), client(endpoint, "sqs")
    template = json.dumps({
        "Parameters": {"Mode": {"Type": "String", "Default": "off"}, "Size": {"Type": "Number", "Default": 5}},
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Mode"}, "on"]}},
        "Resources": {
            "Always": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "cond-always"}},
            "Only": {"Type": "AWS::SQS::Queue", "Condition": "On", "Properties": {
                "QueueName": "cond-only", "DelaySeconds": {"Ref": "Size"},
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Always", "Arn"]}, "maxReceiveCount": 2}}},
            "Uses": {"Type": "AWS::SQS::Queue", "Condition": "On", "Properties": {
                "QueueName": "cond-uses", "DelaySeconds": {"Ref": "Size"},
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Only", "Arn"]}, "maxReceiveCount": 2}}},
        },
    })
    cfn.create_stack(StackName="cond", TemplateBody=template)
    cfn.create_change_set(StackName="cond", ChangeSetName="c1", ChangeSetType="UPDATE", TemplateBody=template,
                          Parameters=[{"ParameterKey": "Mode", "UsePreviousValue": True},
                                      {"ParameterKey": "Size", "ParameterValue": "7"}])
    cfn.execute_change_set(StackName="cond", ChangeSetName="c1")
    names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues(QueueNamePrefix="cond-").get("QueueUrls", [])]
    assert names == ["cond-always"]


def test_change_sets_add_and_remove_a_resource_as_its_condition_flips(endpoint):
    import json

    cfn, sqs = client(endpoint, "cloudformation"), client(endpoint, "sqs")
    template = json.dumps({
        "Parameters": {"Mode": {"Type": "String", "Default": "off"}},
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Mode"}, "on"]}},
        "Resources": {
            "Always": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "flip-always"}},
            "Only": {"Type": "AWS::SQS::Queue", "Condition": "On", "Properties": {"QueueName": "flip-only"}},
        },
    })

    def change(name, kind, mode):
        cfn.create_change_set(StackName="flip", ChangeSetName=name, ChangeSetType=kind, TemplateBody=template,
                              Parameters=[{"ParameterKey": "Mode", "ParameterValue": mode}])
        listed = cfn.describe_change_set(StackName="flip", ChangeSetName=name)["Changes"]
        cfn.execute_change_set(StackName="flip", ChangeSetName=name)
        queues = sqs.list_queues(QueueNamePrefix="flip-").get("QueueUrls", [])
        return ({(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in listed},
                sorted(u.rsplit("/", 1)[-1] for u in queues))

    assert change("c1", "CREATE", "off") == ({("Add", "Always")}, ["flip-always"])
    assert change("c2", "UPDATE", "on") == ({("Add", "Only")}, ["flip-always", "flip-only"])
    assert change("c3", "UPDATE", "off") == ({("Remove", "Only")}, ["flip-always"])


def test_each_operation_s_events_carry_its_client_request_token(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "tok-one", "tok-create", "CREATE")
    cfn.execute_change_set(
        StackName="tok-one", ChangeSetName="tok-create", ClientRequestToken="run-1"
    )
    stack_id = cfn.describe_stacks(StackName="tok-one")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack_id, ClientRequestToken="run-2")
    events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    by_status = {e["ResourceStatus"]: e.get("ClientRequestToken") for e in events
                 if e["LogicalResourceId"] == "tok-one"}
    assert by_status["CREATE_IN_PROGRESS"] == "run-1"
    assert by_status["CREATE_COMPLETE"] == "run-1"
    assert by_status["DELETE_IN_PROGRESS"] == "run-2"
    assert by_status["DELETE_COMPLETE"] == "run-2"


# --- AWS's waits (strict/waits.py), at 1/50 of AWS's durations --------------------------------
_TIMED_TEMPLATE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): return e"}
      Environment: {Variables: {QUEUE: !Ref Queue}}
"""


@pytest.fixture
def timed():
    with contextlib.ExitStack() as stack:

        def start(**extra):
            return stack.enter_context(emulator(EVRELAY_EMULATOR_TIME_SCALE="0.02", **extra))

        yield start


def _until(read, want, limit=30):
    deadline = time.monotonic() + limit
    seen = []
    while time.monotonic() < deadline:
        value = read()
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == want:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"never {want}: {seen}")


def _execute_timed(cfn, stack):
    cfn.create_change_set(
        StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=_TIMED_TEMPLATE
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="run-1")
    return lambda: cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def _resource_events(cfn, stack):
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"][::-1]
    return [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events
            if e.get("ClientRequestToken") == "run-1" and e.get("ResourceStatusReason") !=
            "Resource creation Initiated"]


def test_timed_endpoints_are_pending_then_available_and_deleting_then_deleted(timed):
    ec2 = client(timed(), "ec2")
    vpc, subnet = _vpc(ec2, dns=True)
    ep = _endpoint(ec2, vpc, subnet)
    state = lambda: ec2.describe_vpc_endpoints(VpcEndpointIds=[ep])["VpcEndpoints"][0]["State"]  # noqa: E731
    assert _until(state, "available") == ["pending", "available"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep])
    assert _until(state, "deleted") == ["deleting", "deleted"]


def test_a_timed_endpoint_can_fail_while_pending(timed):
    ec2 = client(timed(EVRELAY_EMULATOR_ENDPOINT_FAILS="1"), "ec2")
    vpc, subnet = _vpc(ec2, dns=True)
    ep = _endpoint(ec2, vpc, subnet)
    state = lambda: ec2.describe_vpc_endpoints(VpcEndpointIds=[ep])["VpcEndpoints"][0]["State"]  # noqa: E731
    assert _until(state, "failed") == ["pending", "failed"]


def test_a_timed_create_goes_resource_by_resource_the_function_last(timed):
    cfn = client(timed(), "cloudformation")
    status = _execute_timed(cfn, "timed-ok")
    assert _until(status, "CREATE_COMPLETE") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    rows = _resource_events(cfn, "timed-ok")
    assert rows[0] == ("timed-ok", "CREATE_IN_PROGRESS")
    assert rows[-2:] == [("Function", "CREATE_COMPLETE"), ("timed-ok", "CREATE_COMPLETE")]
    # The function starts only once the role it names is there.
    assert rows.index(("Role", "CREATE_COMPLETE")) < rows.index(("Function", "CREATE_IN_PROGRESS"))
    stack_id = cfn.describe_stacks(StackName="timed-ok")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="timed-ok", ClientRequestToken="run-2")
    by_id = lambda: cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]  # noqa: E731
    # The function's network interfaces hold the delete up (Lambda: VPC networking).
    assert _until(by_id, "DELETE_COMPLETE") == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    with pytest.raises(ClientError):
        status()


def test_a_timed_create_that_fails_rolls_back_with_the_resource_s_reason(timed):
    cfn = client(timed(EVRELAY_EMULATOR_FAIL_RESOURCE="Function=Memory size 99 is invalid"),
                 "cloudformation")
    status = _execute_timed(cfn, "timed-bad")
    seen = _until(status, "ROLLBACK_COMPLETE")
    assert seen == ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]
    events = cfn.describe_stack_events(StackName="timed-bad")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [
        ("Function", "Memory size 99 is invalid")
    ]
