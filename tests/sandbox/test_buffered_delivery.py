"""Buffered delivery in the sandbox: the relay stack deployed with Delivery=buffered straight
through CloudFormation (`evrelay template` + create_stack; `deploy --delivery buffered` comes
later), the event source mapping played by esm_poller.py, the real relay, the receiver counting
how many requests it answers at once.

    .venv/bin/python -m pytest tests/sandbox/test_buffered.py -q
"""

from __future__ import annotations

import json
import subprocess
import uuid

from lambda_service import LambdaService
from test_sandbox import drain, wait_for


def create_buffered_stack(moto, seeded, evrelay_bin, stack, url, **params):
    tpl = subprocess.run([evrelay_bin, "template", "--stack", stack], capture_output=True, text=True, check=True).stdout
    ev = seeded["events"]
    values = {
        "TargetUrl": url, "SubnetIds": ",".join(ev["private_subnets"]), "SecurityGroupIds": ev["shared_node_sg"],
        "Secret": "s3cret-buffered-1", "Delivery": "buffered", "FunctionTimeout": "30",
        # What `evrelay deploy` will pass: 6 x FunctionTimeout + BatchWindowSeconds.
        "BufferVisibilityTimeoutSeconds": str(6 * 30 + int(params.get("BatchWindowSeconds", 0))),
        **params,
    }
    moto.client("cloudformation").create_stack(
        StackName=stack, TemplateBody=tpl, Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in values.items()])


def put(moto, stack, *event_ids) -> dict[str, str]:
    """Send inbound events; their EventBridge ids by event id."""
    entries = [{"EventBusName": f"{stack}-bus", "Source": "test", "DetailType": "inbound-event-sent",
                "Detail": json.dumps({"event-id": e})} for e in event_ids]
    ids = {}
    for i in range(0, len(entries), 10):
        out = moto.client("events").put_events(Entries=entries[i:i + 10])
        assert out["FailedEntryCount"] == 0, out
        ids.update({e: r["EventId"] for e, r in zip(event_ids[i:i + 10], out["Entries"])})
    return ids


def test_a_burst_reaches_the_app_at_most_max_concurrency_at_a_time(moto, seeded, receiver, evrelay_template, tmp_path):
    stack = f"bb{uuid.uuid4().hex[:6]}"
    alb = f"http://{seeded['events']['internal_alb_dns']}/events"
    create_buffered_stack(moto, seeded, evrelay_template, stack, alb, MaxConcurrency=2, BatchSize=3)
    # A slow app: each request takes 0.2 s.
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok", "delay_seconds": 0.2})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path))
    try:
        info = svc.hook(stack)
        assert len(info["mappings"]) == 1

        burst = [f"burst-{i}" for i in range(30)]
        put(moto, stack, *burst)
        wait_for(lambda: all(receiver.state.stats()["by_event_id"].get(e, {}).get("accepted") for e in burst),
                 timeout=90, what="every event of the burst accepted")
        wait_for(lambda: svc.idle(stack), timeout=30, what="the buffer drained")

        stats = receiver.state.stats()
        print(f"burst of {len(burst)}: the app answered at most {stats['max_in_flight']} requests at once")
        assert 1 <= stats["max_in_flight"] <= 2, stats["max_in_flight"]
        assert {e: stats["by_event_id"][e]["accepted"] for e in burst} == {e: 1 for e in burst}
        [mapping] = svc.status()["stacks"][stack]["mappings"].values()
        assert mapping["max_in_flight"] <= 2
        assert all(len(b) <= 3 for b in mapping["batches"])
        sqs = moto.client("sqs")
        assert drain(sqs, sqs.get_queue_url(QueueName=f"{stack}-dlq")["QueueUrl"], wait=0) == []
    finally:
        svc.stop()
        moto.client("cloudformation").delete_stack(StackName=stack)


def test_a_failing_record_comes_back_alone_then_lands_in_the_dlq(moto, seeded, receiver, evrelay_template, tmp_path):
    stack = f"bf{uuid.uuid4().hex[:6]}"
    alb = f"http://{seeded['events']['internal_alb_dns']}/events"
    # The shortest visibility timeout the template allows (FunctionTimeout's minimum, 30 s):
    # the failed record is received again after 30 s, and moved to the DLQ after 2 receives.
    create_buffered_stack(moto, seeded, evrelay_template, stack, alb, MaxConcurrency=2, BatchSize=10,
                          MaxReceiveCount=2, BufferVisibilityTimeoutSeconds=30)
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok", "reject_event_ids": ["bad-1"]})
    # Queued before the mapping plays, so one receive takes all three into one batch.
    ids = put(moto, stack, "ok-1", "bad-1", "ok-2")
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path))
    sqs = moto.client("sqs")
    dlq = sqs.get_queue_url(QueueName=f"{stack}-dlq")["QueueUrl"]
    try:
        svc.hook(stack)
        [dead] = wait_for(lambda: drain(sqs, dlq, wait=1), timeout=120, what="the failed event in the DLQ")

        # The DLQ holds the original EventBridge event, id and all.
        assert dead["id"] == ids["bad-1"] and dead["detail"] == {"event-id": "bad-1"}
        by_event = receiver.state.stats()["by_event_id"]
        assert by_event["bad-1"]["received"] == 2  # MaxReceiveCount
        assert by_event["ok-1"] == {"received": 1, "accepted": 1}
        assert by_event["ok-2"] == {"received": 1, "accepted": 1}
        [mapping] = svc.status()["stacks"][stack]["mappings"].values()
        first, again = mapping["batches"]
        assert len(first) == 3 and again == [m for m in first if m in again] and len(again) == 1
        buffer = sqs.get_queue_url(QueueName=f"{stack}-buffer")["QueueUrl"]
        assert drain(sqs, buffer, wait=0) == []
    finally:
        svc.stop()
        moto.client("cloudformation").delete_stack(StackName=stack)
