"""The relay template, rendered, deployed on moto: every resource under its stack-derived name.

The rendered template is `$EVRELAY_BIN template` when EVRELAY_BIN is set, else render.py's.
The endpoint is `$EVRELAY_TEST_ENDPOINT` when set, else a moto_server started here on a free
loopback port (stopped at the end of the module). Stack names carry a random suffix, so a
shared endpoint is fine.

What moto does not do (notes/moto.md), and so is not asserted here: the secret, the Lambda
EventInvokeConfig and the SQS queue policies are skipped by moto's CloudFormation; those are
checked statically on the template instead (test_skipped_resources_are_declared_for_aws).
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATE_PATH = ROOT / "templates" / "relay.yaml"
MARKER = "# evrelay:relay-code"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
# Retries off: a moto 500 must surface, not be retried into duplicates.
BOTO_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)

_spec = importlib.util.spec_from_file_location("evrelay_template_render", HERE / "render.py")
render = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render)


# --- CloudFormation YAML (short-form intrinsics) ------------------------------------------------
class _CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(text: str) -> dict:
    return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


# --- moto ---------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_setup() -> None:
    """New process group, and SIGTERM when this test process dies (Linux), so no orphan."""
    os.setpgid(0, 0)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _moto_cmd() -> list[str]:
    """The strict emulator (tests/emulator/moto_launcher.py), in the Python moto is installed in."""
    launcher = str(ROOT / "tests" / "emulator" / "moto_launcher.py")
    for exe in (ROOT / ".venv" / "bin" / "python", Path(sys.executable)):
        if exe.exists():
            return [str(exe), launcher]
    return [sys.executable, launcher]


def _start_moto() -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    last = None
    for _ in range(3):  # the probed port can be taken before moto binds it: try another
        port = _free_port()
        endpoint = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            _moto_cmd() + ["-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            preexec_fn=_child_setup,
            close_fds=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as r:
                    if r.status == 200:
                        return proc, endpoint
            except OSError:
                time.sleep(0.1)
        last = f"exit code {proc.poll()}" if proc.poll() is not None else "no answer in 30 s"
        _stop(proc)
    raise RuntimeError(f"moto_server did not start: {last}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(5)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@pytest.fixture(scope="module")
def endpoint():
    given = os.environ.get("EVRELAY_TEST_ENDPOINT")
    if given:
        yield given
        return
    proc, url = _start_moto()
    try:
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def aws(endpoint):
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing", region_name=REGION
    )
    return lambda service: session.client(service, endpoint_url=endpoint, config=BOTO_CONFIG)


@pytest.fixture(scope="module")
def rendered() -> str:
    return render.rendered()


@pytest.fixture(scope="module")
def network(aws):
    """A VPC with two private subnets in two AZs and a security group for the relay."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    sg = ec2.create_security_group(GroupName=f"relay-{uuid.uuid4().hex[:6]}", Description="evrelay relay", VpcId=vpc)[
        "GroupId"
    ]
    return {"vpc": vpc, "subnets": subnets, "security_groups": [sg]}


def _params(values: dict) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def _deploy(aws, rendered, network, stack, **extra) -> dict:
    cfn = aws("cloudformation")
    values = {
        "TargetUrl": "http://internal-app.example.internal:8080/events",
        "SubnetIds": ",".join(network["subnets"]),
        "SecurityGroupIds": ",".join(network["security_groups"]),
        "Secret": "s3cret-api-key-value",
    }
    values.update(extra)
    cfn.create_stack(
        StackName=stack,
        TemplateBody=rendered,
        Parameters=_params(values),
        Capabilities=["CAPABILITY_IAM"],
        Tags=[{"Key": "evrelay:stack", "Value": stack}],
    )
    # moto creates synchronously; on AWS this would need a waiter.
    deadline = time.monotonic() + 30
    while True:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not status["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return {"stack": status, "values": values}


@pytest.fixture(scope="module")
def stack_a(aws, rendered, network):
    name = f"evr-a-{uuid.uuid4().hex[:6]}"
    deployed = _deploy(aws, rendered, network, name)
    yield name, deployed
    aws("cloudformation").delete_stack(StackName=name)


@pytest.fixture(scope="module")
def stack_b(aws, rendered, network, stack_a):
    """A second stack beside the first, with non-default parameters."""
    name = f"evr-b-{uuid.uuid4().hex[:6]}"
    deployed = _deploy(
        aws,
        rendered,
        network,
        name,
        TargetUrl="https://internal-other-1.us-east-1.elb.amazonaws.com/hook",
        TargetHost="other.example.internal",
        AuthHeaderName="x-api-key",
        InboundDetailType="order-created",
        ReservedConcurrency="5",
        FunctionTimeout="60",
        ReadTimeoutSeconds="20",
        LogRetentionDays="30",
    )
    yield name, deployed
    aws("cloudformation").delete_stack(StackName=name)


def names(stack: str) -> dict:
    """relay-lambda/README.md, "Names"."""
    return {
        "bus": f"{stack}-bus",
        "function": f"{stack}-relay",
        "dlq": f"{stack}-dlq",
        "responses": f"{stack}-responses",
        "secret": f"{stack}-api-key",
        "inbound": f"{stack}-inbound",
        "outbound": f"{stack}-outbound",
        "relay_log_group": f"/aws/lambda/{stack}-relay",
        "events_log_group": f"/aws/events/evrelay/{stack}",
    }


def _assert_stack(aws, stack: str, deployed: dict, *, detail_type: str, timeout: int, read_timeout: str,
                  header: str, retention: int, concurrency: int | None) -> None:
    n = names(stack)
    status = deployed["stack"]
    assert status["StackStatus"] == "CREATE_COMPLETE", status.get("StackStatusReason")
    values = deployed["values"]
    arn = lambda service, rest: f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"  # noqa: E731

    # Outputs: every name, ARN and URL.
    outputs = {o["OutputKey"]: o["OutputValue"] for o in status.get("Outputs", [])}
    sqs = aws("sqs")
    dlq_url = sqs.get_queue_url(QueueName=n["dlq"])["QueueUrl"]
    responses_url = sqs.get_queue_url(QueueName=n["responses"])["QueueUrl"]
    expected_outputs = {
        "BusName": n["bus"],
        "BusArn": arn("events", f"event-bus/{n['bus']}"),
        "FunctionName": n["function"],
        "FunctionArn": arn("lambda", f"function:{n['function']}"),
        "DlqArn": arn("sqs", n["dlq"]),
        "ResponsesQueueArn": arn("sqs", n["responses"]),
        "SecretName": n["secret"],
        "InboundRuleName": n["inbound"],
        "OutboundRuleName": n["outbound"],
        "RelayLogGroupName": n["relay_log_group"],
        "EventsLogGroupName": n["events_log_group"],
        "TargetUrl": values["TargetUrl"],
    }
    for key, want in expected_outputs.items():
        assert outputs.get(key) == want, key
    # The DLQ takes the largest message SQS allows (1 MiB), so a big event's failure record
    # keeps its requestPayload.
    dlq_attrs = aws("sqs").get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["MaximumMessageSize"])
    assert dlq_attrs["Attributes"]["MaximumMessageSize"] == "1048576"
    # moto's queue URLs in outputs use the AWS host, GetQueueUrl the endpoint's: compare the path.
    assert outputs["DlqUrl"].endswith(f"/{ACCOUNT}/{n['dlq']}") and dlq_url.endswith(f"/{ACCOUNT}/{n['dlq']}")
    assert outputs["ResponsesQueueUrl"].endswith(f"/{ACCOUNT}/{n['responses']}")

    # The bus.
    bus = aws("events").describe_event_bus(Name=n["bus"])
    assert bus["Arn"] == expected_outputs["BusArn"]

    # The function: runtime, VPC, the environment contract (relay-lambda/README.md).
    lam = aws("lambda")
    fn = lam.get_function_configuration(FunctionName=n["function"])
    assert fn["Runtime"] == "python3.12"
    assert fn["Handler"] == "index.handler"
    assert fn["MemorySize"] == 256
    assert fn["Timeout"] == timeout
    assert sorted(fn["VpcConfig"]["SubnetIds"]) == sorted(values["SubnetIds"].split(","))
    assert fn["VpcConfig"]["SecurityGroupIds"] == values["SecurityGroupIds"].split(",")
    env = fn["Environment"]["Variables"]
    assert env == {
        "TARGET_URL": values["TargetUrl"],
        "TARGET_HOST": values.get("TargetHost", ""),
        "CA_BUNDLE": values.get("CaBundle", ""),
        "SECRET_ID": n["secret"],
        "AUTH_HEADER_NAME": header,
        "EVENT_BUS_NAME": n["bus"],
        "RESPONSE_SOURCE": "evrelay.relay",
        "CONNECT_TIMEOUT_SECONDS": "3",
        "READ_TIMEOUT_SECONDS": read_timeout,
        # The time budget's AWS numbers (src/budget.rs), the template's defaults.
        "AWS_CONNECT_TIMEOUT_SECONDS": "2",
        "AWS_READ_TIMEOUT_SECONDS": "3",
        "AWS_MAX_ATTEMPTS": "2",
        "SECRET_TTL_SECONDS": "300",
        "DEADLINE_MARGIN_SECONDS": "5",
        "IDEMPOTENCY_HEADER_NAME": "Idempotency-Key",
    }
    assert values["Secret"] not in json.dumps(fn)
    reserved = lam.get_function_concurrency(FunctionName=n["function"]).get("ReservedConcurrentExecutions")
    assert reserved == concurrency

    # The execution role: a CloudFormation-named role the Lambda service assumes.
    role_name = fn["Role"].rsplit("/", 1)[-1]
    assert role_name.startswith(f"{stack}-RelayRole-")
    role = aws("iam").get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    # moto ignores ManagedPolicyArns (AWSLambdaVPCAccessExecutionRole: checked statically in
    # test_skipped_resources_are_declared_for_aws) and reads inline policies back as a Python
    # repr: only the inline policy's name is checked here.
    assert aws("iam").list_role_policies(RoleName=role_name)["PolicyNames"] == ["relay"]

    # The invoke permission: events.amazonaws.com, from the inbound rule only.
    policy = json.loads(lam.get_policy(FunctionName=n["function"])["Policy"])
    inbound_arn = arn("events", f"rule/{n['bus']}/{n['inbound']}")
    outbound_arn = arn("events", f"rule/{n['bus']}/{n['outbound']}")
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == inbound_arn

    # The queues.
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    assert dlq["MessageRetentionPeriod"] == "1209600"
    assert dlq["SqsManagedSseEnabled"] == "true"
    responses = sqs.get_queue_attributes(QueueUrl=responses_url, AttributeNames=["All"])["Attributes"]
    assert responses["MessageRetentionPeriod"] == "300"
    assert responses["SqsManagedSseEnabled"] == "true"

    # The log groups.
    logs = aws("logs")
    for group in (n["relay_log_group"], n["events_log_group"]):
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group]
        assert len(found) == 1, group
        assert found[0]["retentionInDays"] == retention
    events_group_arn = arn("logs", f"log-group:{n['events_log_group']}")
    # No stack carries a Logs resource policy (10 per region): evrelay keeps one shared
    # policy outside the stacks (src/aws/logs_policy.rs), so a bare stack deploy adds none.
    assert not [p for p in logs.describe_resource_policies()["resourcePolicies"]
                if p["policyName"].startswith(stack)]

    # The rules and their targets.
    events = aws("events")
    inbound = events.describe_rule(Name=n["inbound"], EventBusName=n["bus"])
    assert inbound["Arn"] == inbound_arn
    assert json.loads(inbound["EventPattern"]) == {"detail-type": [detail_type]}
    targets = {t["Id"]: t for t in events.list_targets_by_rule(Rule=n["inbound"], EventBusName=n["bus"])["Targets"]}
    assert set(targets) == {"relay", "events-log"}
    relay = targets["relay"]
    assert relay["Arn"] == expected_outputs["FunctionArn"]
    assert relay["DeadLetterConfig"] == {"Arn": expected_outputs["DlqArn"]}
    assert relay["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}
    for key in ("InputTransformer", "Input", "InputPath"):
        assert key not in relay, key
    assert targets["events-log"]["Arn"] == events_group_arn

    outbound = events.describe_rule(Name=n["outbound"], EventBusName=n["bus"])
    assert outbound["Arn"] == outbound_arn
    assert json.loads(outbound["EventPattern"]) == {"source": ["evrelay.relay"], "detail-type": ["outbound-event-sent"]}
    targets = {t["Id"]: t for t in events.list_targets_by_rule(Rule=n["outbound"], EventBusName=n["bus"])["Targets"]}
    assert {k: v["Arn"] for k, v in targets.items()} == {
        "events-log": events_group_arn,
        "responses": expected_outputs["ResponsesQueueArn"],
    }
    assert all("InputTransformer" not in t for t in targets.values())


def test_stack_deploys_with_stack_derived_names(aws, stack_a):
    name, deployed = stack_a
    _assert_stack(aws, name, deployed, detail_type="inbound-event-sent", timeout=90, read_timeout="10",
                  header="api-key", retention=14, concurrency=None)


def test_second_stack_deploys_beside_the_first(aws, stack_a, stack_b):
    name, deployed = stack_b
    _assert_stack(aws, name, deployed, detail_type="order-created", timeout=60, read_timeout="20",
                  header="x-api-key", retention=30, concurrency=5)
    # The first stack is untouched by the second.
    first = stack_a[0]
    assert aws("events").describe_event_bus(Name=f"{first}-bus")["Name"] == f"{first}-bus"
    env = aws("lambda").get_function_configuration(FunctionName=f"{first}-relay")["Environment"]["Variables"]
    assert env["EVENT_BUS_NAME"] == f"{first}-bus"
    stacks = {s["StackName"]: s["StackStatus"] for s in aws("cloudformation").describe_stacks()["Stacks"]}
    assert stacks[first] == stacks[name] == "CREATE_COMPLETE"


def test_rendered_template_inlines_the_relay(rendered):
    assert MARKER not in rendered
    fn = load_template(rendered)["Resources"]["Function"]["Properties"]
    code = fn["Code"]["ZipFile"]
    assert "def handler(" in code
    # The limit that applies is the whole template's, not the code's (Code.ZipFile's zip may
    # be 4 MB): TemplateBody is at most 51,200 bytes (CloudFormation User Guide, "AWS
    # CloudFormation quotas").
    size = len(rendered.encode())
    assert size < 51_200, f"the rendered template is {size} bytes; CloudFormation's TemplateBody limit is 51,200"


# --- static checks of templates/relay.yaml ----------------------------------------------------
def _resource_blocks(text: str) -> dict[str, list[str]]:
    """Resources section: logical id -> its lines (two-space keys, as src/template.rs scans)."""
    blocks: dict[str, list[str]] = {}
    inside, current = False, None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            inside = line.rstrip() == "Resources:"
            current = None
            continue
        if not inside:
            continue
        m = re.match(r"^  ([A-Za-z0-9]+):\s*$", line)
        if m:
            current = m.group(1)
            blocks[current] = []
        elif current:
            blocks[current].append(line)
    return blocks


def test_every_resource_has_an_evrelay_description():
    text = TEMPLATE_PATH.read_text()
    template = load_template(text)
    blocks = _resource_blocks(text)
    assert list(blocks) == list(template["Resources"]), "line scan and YAML disagree on the resources"
    for logical_id, lines in blocks.items():
        # Block style, exactly: Metadata: / evrelay: / description: <one plain line>.
        body = "\n".join(lines)
        assert re.search(
            r"^    Metadata:\n(?:      .*\n)*?      evrelay:\n        description: [^\s\"'|>&*!%@`{\[#][^\n#]*$",
            body + "\n",
            re.M,
        ), f"{logical_id}: no block-style `Metadata: evrelay: description:` line"
        desc = template["Resources"][logical_id]["Metadata"]["evrelay"]["description"]
        assert isinstance(desc, str) and 0 < len(desc) <= 80 and "\n" not in desc, logical_id
        for skip in template["Resources"][logical_id]["Metadata"].get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), skip
            assert len(skip.get("comment", "")) >= 40, f"{logical_id}: skip {skip['id']} is not justified"


def test_marker_occurs_exactly_once_in_the_function_code():
    text = TEMPLATE_PATH.read_text()
    assert text.count("evrelay:relay-code") == 1
    lines = text.splitlines()
    [i] = [i for i, line in enumerate(lines) if "evrelay:relay-code" in line]
    assert lines[i].strip() == MARKER
    zipfile = lines[i - 1]
    assert zipfile.strip() == "ZipFile: |" and lines[i - 2].strip() == "Code:"
    assert len(lines[i]) - len(lines[i].lstrip()) > len(zipfile) - len(zipfile.lstrip())
    assert load_template(text)["Resources"]["Function"]["Properties"]["Code"]["ZipFile"] == MARKER + "\n"


def test_skipped_resources_are_declared_for_aws():
    """What moto's CloudFormation skips or ignores, checked on the template itself."""
    template = load_template(TEMPLATE_PATH.read_text())
    res = template["Resources"]
    skipped = {"AWS::SecretsManager::Secret", "AWS::Lambda::EventInvokeConfig", "AWS::SQS::QueuePolicy"}
    order = list(res)
    skipped_ids = [k for k in order if res[k]["Type"] in skipped]
    assert skipped_ids and order[-len(skipped_ids):] == skipped_ids, "moto-skipped resources must come last"
    # Nothing may !Ref/!GetAtt them where moto dropping the referring key would change what the
    # tests see, except the role's ReadApiKey statement: on AWS its !Ref orders secret → role →
    # function (a DependsOn on a conditional resource is invalid), and moto only loses that
    # statement's Resource in an IAM policy it never enforces.
    dump = json.dumps({k: v for k, v in template.items() if k != "Resources"})
    dump += json.dumps({k: v for k, v in res.items() if k != "RelayRole"})
    for sid in skipped_ids:
        assert f'{{"Ref": "{sid}"}}' not in dump and f'"Fn::GetAtt": ["{sid}"' not in dump, sid
    role = json.dumps(res["RelayRole"])
    assert role.count('{"Ref": "ApiKeySecret"}') == 1, "only the ReadApiKey statement"

    [secret] = [res[k] for k in skipped_ids if res[k]["Type"] == "AWS::SecretsManager::Secret"]
    # The stack's own secret only without an existing one (destroy never deletes that), with
    # the parameter's value or generated inside Secrets Manager.
    assert secret["Condition"] == "OwnSecret"
    assert template["Conditions"]["OwnSecret"] == {"Fn::Equals": [{"Ref": "ExistingSecretArn"}, ""]}
    assert secret["Properties"] == {
        "Name": {"Fn::Sub": "${AWS::StackName}-api-key"},
        "Description": secret["Properties"]["Description"],
        "SecretString": {"Fn::If": ["GenerateOwnSecret", {"Ref": "AWS::NoValue"}, {"Ref": "Secret"}]},
        "GenerateSecretString": {"Fn::If": ["GenerateOwnSecret",
                                            {"PasswordLength": 32, "ExcludePunctuation": True},
                                            {"Ref": "AWS::NoValue"}]},
    }
    # The relay reads exactly the existing secret, and decrypts only via Secrets Manager.
    statements = res["RelayRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    [read] = [st for st in statements if isinstance(st, dict) and st.get("Sid") == "ReadApiKey"]
    assert read["Resource"]["Fn::If"][:2] == ["UseExistingSecret", {"Ref": "ExistingSecretArn"}]
    conditional = {st["Fn::If"][0]: st["Fn::If"] for st in statements if "Fn::If" in st}
    assert set(conditional) == {"DecryptWithCustomerKey", "Buffered"}
    decrypt = conditional["DecryptWithCustomerKey"]
    assert decrypt[0] == "DecryptWithCustomerKey" and decrypt[2] == {"Ref": "AWS::NoValue"}
    assert decrypt[1]["Action"] == "kms:Decrypt"
    assert decrypt[1]["Resource"] == {"Ref": "ExistingSecretKmsKeyArn"}
    assert decrypt[1]["Condition"] == {"StringEquals": {
        "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}}}
    [invoke] = [res[k] for k in skipped_ids if res[k]["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert invoke["Properties"] == {
        "FunctionName": {"Ref": "Function"},
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["Dlq", "Arn"]}}},
    }
    policies = {
        res[k]["Properties"]["Queues"][0]["Ref"]: res[k]["Properties"]["PolicyDocument"]["Statement"]
        for k in skipped_ids
        if res[k]["Type"] == "AWS::SQS::QueuePolicy"
    }
    assert {q: s[0]["Condition"]["ArnEquals"]["aws:SourceArn"] for q, s in policies.items()} == {
        # Built from the names: the rules depend on these policies, not the reverse.
        "Dlq": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Bus.Name}/${AWS::StackName}-inbound"},
        "ResponsesQueue": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Bus.Name}/${AWS::StackName}-outbound"},
    }
    # moto orders by DependsOn even on resources it skips, and AWS enforces it.
    assert set(res["InboundRule"]["DependsOn"]) >= {"InvokePermission", "DlqPolicy", "InvokeConfig"}
    assert set(res["OutboundRule"]["DependsOn"]) >= {"ResponsesQueuePolicy"}
    # The function after its own secret through the role that references it (no DependsOn on
    # the conditional secret: CloudFormation rejects one when the condition is false).
    assert "ApiKeySecret" not in json.dumps(res["Function"].get("DependsOn", []))
    assert res["Function"]["Properties"]["Role"] == {"Fn::GetAtt": ["RelayRole", "Arn"]}
    for statements in policies.values():
        assert statements[0]["Principal"] == {"Service": "events.amazonaws.com"}
        assert statements[0]["Action"] == "sqs:SendMessage"
    # Buffered: the DLQ's policy also lets the inbound rule (only) fill the buffer, and the
    # relay may consume the buffer only.
    [fill] = [st["Fn::If"] for st in policies["Dlq"] if "Fn::If" in st]
    assert fill[0] == "Buffered" and fill[2] == {"Ref": "AWS::NoValue"}
    assert fill[1]["Resource"] == {"Fn::GetAtt": ["Buffer", "Arn"]}
    assert fill[1]["Condition"] == policies["Dlq"][0]["Condition"]
    consume = conditional["Buffered"][1]
    assert consume["Resource"] == {"Fn::GetAtt": ["Buffer", "Arn"]}
    assert sorted(consume["Action"]) == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]

    # What moto ignores on the role: the VPC network-interface permissions (managed policy).
    assert res["RelayRole"]["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}
    ]
    # The role reads exactly its own secret, by reference (or the existing one).
    statements = res["RelayRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    [read] = [s for s in statements if s.get("Action") == "secretsmanager:GetSecretValue"]
    assert read["Resource"]["Fn::If"][2] == {"Ref": "ApiKeySecret"}
