"""The sandbox's pieces, without the evrelay CLI commands: the seeded account's shape, the
receiver's modes over real HTTP, the destination record, the runner's retries with the real
relay, the hook against a stack made from `evrelay template`, and up/down leaving no process.

    .venv/bin/python -m pytest tests/sandbox/test_sandbox.py -q
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
import requests

from lambda_env import FunctionSpec, destination_record, rewrite_url
from lambda_runner import Runner
from lambda_service import LambdaService
from sandbox_code import inline_code_from_relay_py, inline_code_from_template, inline_code_from_text

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- helpers ----------------------------------------------------------------------------------------

def wait_for(pred, timeout=20.0, step=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def tags(obj) -> dict:
    return {t["Key"]: t["Value"] for t in obj.get("Tags", [])}


def drain(sqs, url, n=10, wait=1) -> list[dict]:
    out = []
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(out) >= n:
            return out


def make_function(moto, tmp_path, code: str, variables: dict, timeout=30.0, name=None) -> FunctionSpec:
    # 30 s: the template's minimum FunctionTimeout; the relay starts no POST that could not
    # finish before the deadline (3 s connect + 10 s read here).
    name = name or f"t{uuid.uuid4().hex[:8]}-relay"
    code_dir = tmp_path / name
    code_dir.mkdir()
    (code_dir / "index.py").write_text(code)
    logs = moto.client("logs")
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group)
    return FunctionSpec(
        name=name, arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}", handler="index.handler",
        timeout=timeout, memory=256, variables=variables, code=code, code_dir=str(code_dir),
        moto_endpoint=moto.endpoint, log_group=group,
    )


def relay_env(moto, receiver_url: str, stack: str, secret: str, read_timeout="10") -> dict:
    """The relay's environment as the template sets it (names from relay-lambda/README.md)."""
    moto.client("secretsmanager").create_secret(Name=f"{stack}-api-key", SecretString=secret)
    moto.client("events").create_event_bus(Name=f"{stack}-bus")
    return {
        "TARGET_URL": receiver_url, "SECRET_ID": f"{stack}-api-key", "AUTH_HEADER_NAME": "api-key",
        "EVENT_BUS_NAME": f"{stack}-bus", "RESPONSE_SOURCE": "evrelay.relay",
        "CONNECT_TIMEOUT_SECONDS": "3", "READ_TIMEOUT_SECONDS": read_timeout, "SECRET_TTL_SECONDS": "300",
        "DEADLINE_MARGIN_SECONDS": "5", "IDEMPOTENCY_HEADER_NAME": "Idempotency-Key", "CA_BUNDLE": "",
    }


def event(eid=None, bus="b", **detail) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "inbound-event-sent",
            "source": "test", "account": "123456789012", "time": "2026-11-24T08:00:00Z",
            "region": "us-east-1", "resources": [],
            "detail": {"event-id": eid or str(uuid.uuid4()), **detail}}


# ---- the seeded account -----------------------------------------------------------------------------

def test_seeded_vpc_subnets_and_routes(moto, seeded):
    ec2 = moto.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:alpha.eksctl.io/cluster-name", "Values": ["events"]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    assert tags(vpc)["kubernetes.io/cluster/events"] == "owned"
    assert tags(vpc)["Name"] == "eksctl-events-cluster/VPC"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    names = {tags(s)["Name"]: s for s in subnets}
    assert set(names) == {
        "eksctl-events-cluster/SubnetPublicUSEAST1A", "eksctl-events-cluster/SubnetPublicUSEAST1B",
        "eksctl-events-cluster/SubnetPrivateUSEAST1A", "eksctl-events-cluster/SubnetPrivateUSEAST1B",
    }
    private = [s for n, s in names.items() if "Private" in n]
    assert {s["AvailabilityZone"] for s in private} == {"us-east-1a", "us-east-1b"}
    assert all(tags(s)["kubernetes.io/role/internal-elb"] == "1" for s in private)

    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
    by_subnet = {a["SubnetId"]: rt for rt in rts for a in rt.get("Associations", []) if a.get("SubnetId")}
    for n, s in names.items():
        default = [r for r in by_subnet[s["SubnetId"]]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert len(default) == 1, n
        if "Private" in n:
            assert default[0]["NatGatewayId"] == seeded["events"]["nat_gateway_id"]
        else:
            assert default[0]["GatewayId"].startswith("igw-")
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"]
    assert [n["SubnetId"] for n in nats] == [seeded["events"]["public_subnets"][0]]


def test_seeded_security_group_and_load_balancers(moto, seeded):
    ec2, elbv2 = moto.client("ec2"), moto.client("elbv2")
    ev = seeded["events"]
    sgs = ec2.describe_security_groups(Filters=[
        {"Name": "tag:Name", "Values": ["eksctl-events-cluster/ClusterSharedNodeSecurityGroup"]}])["SecurityGroups"]
    assert [s["GroupId"] for s in sgs] == [ev["shared_node_sg"]]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [ev["shared_node_sg"]]}])["SecurityGroupRules"]
    ingress = [r for r in rules if not r["IsEgress"]]
    assert len(ingress) == 1
    assert ingress[0]["IpProtocol"] == "-1"
    assert ingress[0]["ReferencedGroupInfo"]["GroupId"] == ev["shared_node_sg"]

    lbs = {lb["LoadBalancerArn"]: lb for lb in elbv2.describe_load_balancers()["LoadBalancers"]
           if lb["VpcId"] == ev["vpc_id"]}
    internal = lbs[ev["internal_alb_arn"]]
    assert internal["Scheme"] == "internal"
    assert {z["SubnetId"] for z in internal["AvailabilityZones"]} == set(ev["private_subnets"])
    assert internal["SecurityGroups"] == [ev["shared_node_sg"]]
    listeners = elbv2.describe_listeners(LoadBalancerArn=internal["LoadBalancerArn"])["Listeners"]
    assert [(lst["Protocol"], lst["Port"]) for lst in listeners] == [("HTTP", 80)]
    assert listeners[0]["DefaultActions"][0]["TargetGroupArn"] == ev["target_group_arn"]
    decoy = lbs[ev["public_alb_arn"]]
    assert decoy["Scheme"] == "internet-facing"
    assert {z["SubnetId"] for z in decoy["AvailabilityZones"]} == set(ev["public_subnets"])
    # The decoy cluster has its own VPC and no load balancer.
    assert seeded["staging"]["vpc_id"] != ev["vpc_id"]
    assert not [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"]
                if lb["VpcId"] == seeded["staging"]["vpc_id"]]
    # No Secrets Manager endpoint is seeded: evrelay deploy creates (and tags) the one it needs.
    eps = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [ev["vpc_id"]]}])["VpcEndpoints"]
    assert eps == []


# ---- the receiver -----------------------------------------------------------------------------------

def test_receiver_accepts_the_key_from_secrets_manager(moto, receiver):
    stack = f"r{uuid.uuid4().hex[:6]}"
    moto.client("secretsmanager").create_secret(Name=f"{stack}-api-key", SecretString="k-good-123")
    receiver.state.control({"stack": stack, "reset": True})
    s = requests.Session()
    ev = event("e-1")
    r = s.post(receiver.url, json=ev, headers={"api-key": "k-good-123"})
    assert (r.status_code, r.json()) == (200, {"success": True, "message": "Event id e-1 received."})
    r = s.post(receiver.url, json=event("e-2"), headers={"api-key": "wrong"})
    assert r.status_code == 401 and r.json()["success"] is False
    r = s.post(receiver.url, json=event("e-3"))
    assert r.status_code == 401
    # The body may also be the detail itself.
    r = s.post(receiver.url, json={"event-id": "e-4"}, headers={"api-key": "k-good-123"})
    assert r.json()["message"] == "Event id e-4 received."
    r = s.get(receiver.url)
    assert r.status_code == 200 and r.json()["success"] is True
    st = s.get(receiver.url + "_stats").json()
    assert (st["received"], st["accepted"], st["unauthorized"], st["health"]) == (4, 2, 2, 1)
    assert st["by_event_id"]["e-1"] == {"received": 1, "accepted": 1}
    assert st["by_event_id"]["e-2"] == {"received": 1, "accepted": 0}


def test_receiver_modes(receiver):
    receiver.state.control({"api_key": "k", "reset": True})
    s = requests.Session()
    h = {"api-key": "k"}
    ctl = receiver.url + "_control"

    assert s.post(ctl, json={"mode": "reject"}).json()["mode"] == "reject"
    r = s.post(receiver.url, json=event("rj"), headers=h)
    assert r.status_code == 200 and r.json()["success"] is False and "rj" in r.json()["message"]

    s.post(ctl, json={"mode": "error"})
    r = s.post(receiver.url, json=event("er"), headers=h)
    assert r.status_code == 500 and r.json()["success"] is False

    s.post(ctl, json={"mode": "stall", "stall_seconds": 1.5})
    t0 = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(receiver.url, json=event("st"), headers=h, timeout=0.5)
    assert time.monotonic() - t0 < 1.4

    # `times`: the mode applies to the next N requests, then the app is ok again.
    s.post(ctl, json={"mode": "reject", "times": 2})
    results = [s.post(receiver.url, json=event(f"t{i}"), headers=h).json()["success"] for i in range(3)]
    assert results == [False, False, True]
    assert s.get(ctl).json()["mode"] == "ok"

    assert s.post(ctl, json={"mode": "bogus"}).status_code == 400
    st = s.get(receiver.url + "_stats").json()
    assert st["rejected"] == 3 and st["errors"] == 1 and st["stalled"] == 1 and st["accepted"] == 1


def test_receiver_keep_alive_has_no_nagle_stall(receiver):
    """TCP_NODELAY on accepted sockets: keep-alive requests must not wait for delayed ACKs
    (~40 ms each with Nagle, see notes/benchmarks.md). A loose bound, not a benchmark."""
    receiver.state.control({"api_key": "k"})
    s = requests.Session()
    s.post(receiver.url, json=event(), headers={"api-key": "k"})
    t0 = time.monotonic()
    for _ in range(25):
        assert s.post(receiver.url, json=event(), headers={"api-key": "k"}).status_code == 200
    assert time.monotonic() - t0 < 0.8


def test_receiver_key_cache_follows_rotation(moto, receiver):
    stack = f"r{uuid.uuid4().hex[:6]}"
    sm = moto.client("secretsmanager")
    sm.create_secret(Name=f"{stack}-api-key", SecretString="old-key-1")
    receiver.state.control({"stack": stack})
    assert requests.post(receiver.url, json=event(), headers={"api-key": "old-key-1"}).status_code == 200
    sm.put_secret_value(SecretId=f"{stack}-api-key", SecretString="new-key-2")
    wait_for(lambda: requests.post(receiver.url, json=event(), headers={"api-key": "new-key-2"}).status_code == 200,
             timeout=5, step=0.5, what="the rotated key")


# ---- the destination record -------------------------------------------------------------------------

def test_destination_record_shape():
    ev = event("x-1")
    err = {"ok": False, "errorMessage": "event abc: 401: Unauthorized", "errorType": "RelayError",
           "stackTrace": ['  File "/var/task/index.py", line 1, in handler\n']}
    rec = destination_record(ev, "req-1", "arn:aws:lambda:us-east-1:123456789012:function:s-relay", 3, err)
    assert set(rec) == {"version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"}
    assert rec["version"] == "1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["timestamp"])
    assert rec["requestContext"] == {
        "requestId": "req-1", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:s-relay:$LATEST",
        "condition": "RetriesExhausted", "approximateInvokeCount": 3}
    assert rec["requestPayload"] == ev
    assert rec["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert rec["responsePayload"] == {"errorMessage": "event abc: 401: Unauthorized", "errorType": "RelayError",
                                      "requestId": "req-1", "stackTrace": err["stackTrace"]}
    # Same keys as the README's example record.
    readme = open(os.path.join(HERE, "..", "..", "relay-lambda", "README.md")).read()
    text = re.search(r"```json\n(.*?)```", readme, re.S).group(1)
    example = json.loads(re.sub(r"\{ …[^}]*… \}", "{}", text).replace("…", "x"))
    assert set(example) == set(rec)
    for k in ("requestContext", "responseContext", "responsePayload"):
        assert set(example[k]) == set(rec[k]), k


# ---- the inline code --------------------------------------------------------------------------------

def test_inline_code_extraction_agrees_with_relay_py(evrelay_template):
    out = subprocess.run([evrelay_template, "template", "--stack", "x"], capture_output=True, text=True, check=True).stdout
    by_yaml = inline_code_from_template(out)
    by_text = inline_code_from_text(out)
    assert by_yaml and by_yaml == by_text
    assert "def handler(" in by_yaml
    relay_py = os.path.join(HERE, "..", "..", "relay-lambda", "relay.py")
    stripped = inline_code_from_relay_py(relay_py)
    # relay.py changes while the binary is built from an older copy: compare when it is fresh.
    if stripped and os.path.getmtime(evrelay_template) > os.path.getmtime(relay_py):
        assert by_yaml == stripped
    compile(by_yaml, "index.py", "exec")


def test_rewrite_url_points_load_balancer_names_at_the_receiver():
    rw = {"internal-a-1.us-east-1.elb.amazonaws.com": "http://127.0.0.1:5000"}
    assert rewrite_url("http://internal-a-1.us-east-1.elb.amazonaws.com/events?x=1", rw) == "http://127.0.0.1:5000/events?x=1"
    assert rewrite_url("http://example.com/", rw) == "http://example.com/"
    assert rewrite_url("3", rw) == "3"


# ---- the runner -------------------------------------------------------------------------------------

def test_runner_retries_the_real_relay_then_writes_the_record(moto, receiver, relay_code, tmp_path):
    stack = f"t{uuid.uuid4().hex[:6]}"
    env = relay_env(moto, receiver.url, stack, "the-right-key")
    receiver.state.control({"stack": stack, "mode": "reject", "reset": True})
    sqs = moto.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{stack}-dlq")["QueueUrl"]
    fn = make_function(moto, tmp_path, relay_code, env, name=f"{stack}-relay")
    runner = Runner(fn, None, 2, dlq, moto.endpoint, retry_delays=(0.05, 0.1))
    try:
        ev = event("ev-rejected")
        reply = runner.invoke_async(ev, request_id="req-x")
        assert reply["ok"] is False and reply["errorType"] == "RelayError"
        assert runner.snapshot()["invocations"] == 3
        assert receiver.state.stats()["by_event_id"]["ev-rejected"]["received"] == 3
        recs = drain(sqs, dlq)
        assert len(recs) == 1
        rec = recs[0]
        assert rec["requestContext"]["approximateInvokeCount"] == 3
        assert rec["requestContext"]["requestId"] == "req-x"
        assert rec["requestPayload"] == ev
        assert rec["responsePayload"]["errorMessage"].startswith(f"event {ev['id']}: 200: ")
        assert "success" in rec["responsePayload"]["errorMessage"]
        assert rec["responsePayload"]["stackTrace"][0].startswith('  File "/var/task/index.py"')

        # Healed: delivered on the first attempt, nothing more in the DLQ.
        receiver.state.control({"mode": "ok"})
        assert runner.invoke_async(event("ev-ok"))["ok"] is True
        assert receiver.state.stats()["by_event_id"]["ev-ok"] == {"received": 1, "accepted": 1}
        assert drain(sqs, dlq, wait=0) == []
        assert runner.snapshot()["invocations"] == 4

        # The handler's log lines went to the function's log group, framed like Lambda's.
        logs = moto.client("logs")
        streams = logs.describe_log_streams(logGroupName=fn.log_group)["logStreams"]
        assert streams and all(re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", s["logStreamName"]) for s in streams)
        msgs = [e["message"] for s in streams for e in
                logs.get_log_events(logGroupName=fn.log_group, logStreamName=s["logStreamName"])["events"]]
        assert sum(m.startswith("START RequestId: req-x") for m in msgs) == 3
        assert sum(m.startswith("REPORT RequestId: ") for m in msgs) == 4
        lines = [json.loads(m) for m in msgs if m.startswith("{")]
        assert [ln["outcome"] for ln in lines].count("failed") == 3
        assert [ln["outcome"] for ln in lines].count("delivered") == 1
        assert any(m.startswith("[ERROR] RelayError: ") for m in msgs)
    finally:
        runner.stop(kill=True)


def test_runner_retry_count_follows_maximum_retry_attempts(moto, tmp_path):
    """A handler that always fails: 1 + retries attempts, for retries 0, 1 and 2."""
    code = "import os\nN = []\ndef handler(event, context):\n    N.append(1)\n    print('attempt', len(N))\n    raise ValueError('nope ' + event['detail']['event-id'])\n"
    sqs = moto.client("sqs")
    for retries in (0, 1, 2):
        dlq = sqs.create_queue(QueueName=f"t{uuid.uuid4().hex[:6]}-dlq")["QueueUrl"]
        fn = make_function(moto, tmp_path, code, {})
        runner = Runner(fn, None, retries, dlq, moto.endpoint, retry_delays=(0.01,))
        try:
            runner.invoke_async(event("e"))
            assert runner.snapshot()["invocations"] == 1 + retries
            (rec,) = drain(sqs, dlq)
            assert rec["requestContext"]["approximateInvokeCount"] == 1 + retries
            assert rec["responsePayload"]["errorType"] == "ValueError"
            assert rec["responsePayload"]["errorMessage"] == "nope e"
        finally:
            runner.stop(kill=True)


def test_runner_function_timeout_kills_the_environment(moto, tmp_path):
    code = "import time\ndef handler(event, context):\n    time.sleep(30)\n"
    sqs = moto.client("sqs")
    dlq = sqs.create_queue(QueueName=f"t{uuid.uuid4().hex[:6]}-dlq")["QueueUrl"]
    fn = make_function(moto, tmp_path, code, {}, timeout=1.0)
    runner = Runner(fn, None, 1, dlq, moto.endpoint, retry_delays=(0.01,))
    try:
        t0 = time.monotonic()
        runner.invoke_async(event("slow"))
        assert time.monotonic() - t0 < 10
        (rec,) = drain(sqs, dlq)
        assert rec["requestContext"]["approximateInvokeCount"] == 2
        assert "Task timed out after 1.00 seconds" in rec["responsePayload"]["errorMessage"]
    finally:
        runner.stop(kill=True)


# ---- the hook, on a stack made from `evrelay template` -----------------------------------------------

def create_relay_stack(moto, seeded, evrelay_bin, stack, url, secret, read_timeout="10"):
    tpl = subprocess.run([evrelay_bin, "template", "--stack", stack], capture_output=True, text=True, check=True).stdout
    ev = seeded["events"]
    moto.client("cloudformation").create_stack(StackName=stack, TemplateBody=tpl, Capabilities=["CAPABILITY_IAM"], Parameters=[
        {"ParameterKey": "TargetUrl", "ParameterValue": url},
        {"ParameterKey": "SubnetIds", "ParameterValue": ",".join(ev["private_subnets"])},
        {"ParameterKey": "SecurityGroupIds", "ParameterValue": ev["shared_node_sg"]},
        {"ParameterKey": "Secret", "ParameterValue": secret},
        {"ParameterKey": "ReadTimeoutSeconds", "ParameterValue": read_timeout},
    ])


def test_hook_runs_the_deployed_relay_end_to_end(moto, seeded, receiver, evrelay_template, tmp_path):
    stack = f"h{uuid.uuid4().hex[:6]}"
    # Deployed with the internal ALB's URL: the sandbox points it at the receiver.
    alb = f"http://{seeded['events']['internal_alb_dns']}/events"
    create_relay_stack(moto, seeded, evrelay_template, stack, alb, "s3cret-value-1")
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok"})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path), retry_delays=(0.05, 0.1))
    try:
        info = svc.hook(stack)
        assert info["retries"] == 2
        assert info["on_failure"].endswith(f":{stack}-dlq")
        assert info["code_source"].startswith("deployed template")
        assert svc.hook(stack)["stack"] == stack  # idempotent

        sm, lam, ev, sqs = (moto.client(s) for s in ("secretsmanager", "lambda", "events", "sqs"))
        assert sm.get_secret_value(SecretId=f"{stack}-api-key")["SecretString"] == "s3cret-value-1"
        cfg = lam.get_function_event_invoke_config(FunctionName=f"{stack}-relay")
        assert cfg["MaximumRetryAttempts"] == 2
        assert cfg["DestinationConfig"]["OnFailure"]["Destination"] == info["on_failure"]
        targets = {t["Id"]: t for t in ev.list_targets_by_rule(Rule=f"{stack}-inbound", EventBusName=f"{stack}-bus")["Targets"]}
        assert targets["relay"]["Arn"].endswith(f":{stack}-sandbox-tap")
        assert targets["relay"]["DeadLetterConfig"]["Arn"].endswith(f":{stack}-dlq")
        assert ":logs:" in targets["events-log"]["Arn"]

        # An event with return-response-event: delivered, and the response event queued.
        out = ev.put_events(Entries=[{"EventBusName": f"{stack}-bus", "Source": "test", "DetailType": "inbound-event-sent",
                                      "Detail": json.dumps({"event-id": "hk-1", "return-response-event": True})}])
        assert out["FailedEntryCount"] == 0
        rid = out["Entries"][0]["EventId"]
        responses = sqs.get_queue_url(QueueName=f"{stack}-responses")["QueueUrl"]
        resp = wait_for(lambda: drain(sqs, responses, wait=1), what="the response event")
        assert resp[0]["detail"]["request-id"] == rid
        assert resp[0]["detail"]["event-id"] == "hk-1"
        assert resp[0]["detail"]["status"] == 200
        assert resp[0]["detail"]["response"] == {"success": True, "message": "Event id hk-1 received."}
        assert receiver.state.stats()["last_requests"][-1]["path"] == "/events"

        # A rejected event: retried, then the destination record in the DLQ.
        receiver.state.control({"mode": "reject"})
        ev.put_events(Entries=[{"EventBusName": f"{stack}-bus", "Source": "test", "DetailType": "inbound-event-sent",
                                "Detail": json.dumps({"event-id": "hk-2"})}])
        dlq = sqs.get_queue_url(QueueName=f"{stack}-dlq")["QueueUrl"]
        (rec,) = wait_for(lambda: drain(sqs, dlq, wait=1), what="the DLQ record")
        assert rec["requestPayload"]["detail"]["event-id"] == "hk-2"
        assert rec["requestContext"]["approximateInvokeCount"] == 3
        assert receiver.state.stats()["by_event_id"]["hk-2"]["received"] == 3
        wait_for(lambda: svc.idle(stack), what="idle")

        # The relay's log lines are in its log group.
        logs = moto.client("logs")
        found = logs.filter_log_events(logGroupName=f"/aws/lambda/{stack}-relay", filterPattern='"hk-2"')["events"]
        assert found

        # Destroy: the runner stops and the sandbox's stand-ins go with the stack.
        moto.client("cloudformation").delete_stack(StackName=stack)
        svc.scan()
        assert stack not in svc.status()["stacks"]
        assert not [s for s in sm.list_secrets()["SecretList"] if s["Name"].startswith(stack)]
        assert not [q for q in sqs.list_queues(QueueNamePrefix=stack).get("QueueUrls", [])]
        assert f"{stack}-relay" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
        assert f"{stack}-bus" not in [b["Name"] for b in ev.list_event_buses()["EventBuses"]]
    finally:
        svc.stop()


def test_watcher_scan_hooks_relay_stacks_only(moto, seeded, receiver, evrelay_template, tmp_path):
    stack = f"w{uuid.uuid4().hex[:6]}"
    moto.client("cloudformation").create_stack(StackName=f"{stack}-other", TemplateBody=json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{stack}-other-q"}}}}))
    create_relay_stack(moto, seeded, evrelay_template, stack, receiver.url, "another-secret")
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path))
    try:
        svc.scan()
        st = svc.status()
        assert stack in st["stacks"] and f"{stack}-other" not in st["stacks"]
        assert not st["errors"]
    finally:
        for s in (stack, f"{stack}-other"):
            moto.client("cloudformation").delete_stack(StackName=s)
        svc.scan()
        svc.stop()


# ---- up / down --------------------------------------------------------------------------------------

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of this test process counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    # Gone before the open (FileNotFoundError) or between the open and the read (ESRCH).
    except (FileNotFoundError, ProcessLookupError):
        return False


def _descendants(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    kids: dict[int, list[int]] = {}
    for line in out.split("\n"):
        if line.strip():
            p, pp = map(int, line.split())
            kids.setdefault(pp, []).append(p)
    seen, todo = set(), [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def _cli(*args, timeout=90):
    return subprocess.run([sys.executable, os.path.join(HERE, "sandbox.py"), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_up_down_leaves_no_process(tmp_path):
    d = str(tmp_path / "state")
    r = _cli("up", "--state-dir", d)
    assert r.returncode == 0, r.stderr
    try:
        env = json.load(open(os.path.join(d, "env.json")))
        pid = int(env["SANDBOX_PID"])
        procs = _descendants(pid) | {pid}
        assert len(procs) >= 2  # the supervisor and moto
        from moto_proc import client
        vpcs = client("ec2", env["AWS_ENDPOINT_URL"]).describe_vpcs()["Vpcs"]
        assert env["SANDBOX_VPC_ID"] in [v["VpcId"] for v in vpcs]
        assert requests.get(env["SANDBOX_RECEIVER_URL"], timeout=30).json()["success"] is True
        st = _cli("status", "--state-dir", d)
        assert st.returncode == 0 and json.loads(st.stdout)["stacks"] == {}
        env_lines = open(os.path.join(d, "env")).read().splitlines()
        assert any(ln.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:") for ln in env_lines)
    finally:
        assert _cli("down", "--state-dir", d).returncode == 0
    wait_for(lambda: not any(_alive(p) for p in procs), timeout=10, what="all processes gone")
    assert not os.path.exists(os.path.join(d, "env"))
    assert _cli("down", "--state-dir", d).returncode == 0  # idempotent


def test_supervisor_stops_with_its_owner(tmp_path):
    d = str(tmp_path / "state")
    owner = subprocess.Popen(["sleep", "600"])
    try:
        assert _cli("up", "--state-dir", d, "--owner-pid", str(owner.pid)).returncode == 0
        pid = int(json.load(open(os.path.join(d, "env.json")))["SANDBOX_PID"])
        procs = _descendants(pid) | {pid}
    finally:
        owner.send_signal(signal.SIGTERM)
        owner.wait()
    try:
        wait_for(lambda: not any(_alive(p) for p in procs), timeout=15, what="the owner-less sandbox to stop")
    finally:
        _cli("down", "--state-dir", d)


def test_redeploy_is_rehooked(moto, seeded, receiver, evrelay_template, tmp_path):
    """An update through a change set (as `evrelay deploy` does it) with a new key and read
    timeout: the watcher re-hooks, the secret follows, the new environment is used."""
    stack = f"u{uuid.uuid4().hex[:6]}"
    create_relay_stack(moto, seeded, evrelay_template, stack, receiver.url, "first-key-111")
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path))
    cfn = moto.client("cloudformation")
    try:
        svc.scan()
        first = svc.hooked[stack].runner
        assert first.fn.variables["READ_TIMEOUT_SECONDS"] in ("10", 10)
        tpl = subprocess.run([evrelay_template, "template", "--stack", stack], capture_output=True, text=True, check=True).stdout
        params = [{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
                  for p in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Parameters"]
                  if p["ParameterKey"] not in ("Secret", "ReadTimeoutSeconds", "SubnetIds", "SecurityGroupIds")]
        ev = seeded["events"]
        params += [{"ParameterKey": "Secret", "ParameterValue": "second-key-222"},
                   {"ParameterKey": "ReadTimeoutSeconds", "ParameterValue": "2"},
                   {"ParameterKey": "SubnetIds", "ParameterValue": ",".join(ev["private_subnets"])},
                   {"ParameterKey": "SecurityGroupIds", "ParameterValue": ev["shared_node_sg"]}]
        cfn.create_change_set(StackName=stack, ChangeSetName="c2", ChangeSetType="UPDATE", TemplateBody=tpl,
                              Parameters=params, Capabilities=["CAPABILITY_IAM"])
        cfn.execute_change_set(StackName=stack, ChangeSetName="c2")
        svc.scan()
        h = svc.hooked[stack]
        assert h.runner is not first
        assert str(h.runner.fn.variables["READ_TIMEOUT_SECONDS"]) == "2"
        sm = moto.client("secretsmanager")
        assert sm.get_secret_value(SecretId=f"{stack}-api-key")["SecretString"] == "second-key-222"
        svc.scan()
        assert svc.hooked[stack] is h  # no change, no re-hook
    finally:
        cfn.delete_stack(StackName=stack)
        svc.scan()
        svc.stop()


def test_down_during_a_stalled_invocation_leaves_no_process(tmp_path, evrelay_template):
    """down while the relay is stuck on a stalled app: supervisor, moto and the function's
    execution environments all stop."""
    d = str(tmp_path / "state")
    assert _cli("up", "--state-dir", d).returncode == 0
    procs: set[int] = set()
    try:
        env = json.load(open(os.path.join(d, "env.json")))
        from moto_proc import client
        seeded = json.load(open(os.path.join(d, "seeded.json")))["events"]
        stack = "stall-down"
        tpl = subprocess.run([evrelay_template, "template", "--stack", stack], capture_output=True, text=True, check=True).stdout
        client("cloudformation", env["AWS_ENDPOINT_URL"]).create_stack(
            StackName=stack, TemplateBody=tpl, Capabilities=["CAPABILITY_IAM"], Parameters=[
                {"ParameterKey": "TargetUrl", "ParameterValue": env["SANDBOX_RECEIVER_URL"]},
                {"ParameterKey": "SubnetIds", "ParameterValue": ",".join(seeded["private_subnets"])},
                {"ParameterKey": "SecurityGroupIds", "ParameterValue": seeded["shared_node_sg"]},
                {"ParameterKey": "Secret", "ParameterValue": "stall-key-123"}])
        r = _cli("hook", "--state-dir", d, "--stack", stack)
        assert r.returncode == 0, r.stdout + r.stderr
        requests.post(env["SANDBOX_CONTROL_URL"], json={"mode": "stall", "stall_seconds": 60}, timeout=10)
        client("events", env["AWS_ENDPOINT_URL"]).put_events(Entries=[{
            "EventBusName": f"{stack}-bus", "Source": "t", "DetailType": "inbound-event-sent",
            "Detail": json.dumps({"event-id": "stuck"})}])
        wait_for(lambda: requests.get(env["SANDBOX_STATS_URL"], timeout=10).json()["stalled"] >= 1,
                 timeout=30, what="the relay to reach the stalled app")
        pid = int(env["SANDBOX_PID"])
        procs = _descendants(pid) | {pid}
        assert len(procs) >= 3  # supervisor, moto, one execution environment
    finally:
        assert _cli("down", "--state-dir", d).returncode == 0
    wait_for(lambda: not any(_alive(p) for p in procs), timeout=15, what="all processes gone")
