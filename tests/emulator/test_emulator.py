"""Each strict-emulator rule, checked against the launcher itself (pytest tests/emulator)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

LAUNCHER = Path(__file__).with_name("moto_launcher.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = _free_port()
    env = dict(os.environ, EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW="2")
    proc = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)
    yield url
    proc.kill()
    proc.wait()


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
