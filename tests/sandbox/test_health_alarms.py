"""The stack's DLQ alarm in the sandbox: a relay deployed with `--alarms TOPIC_ARN`, an endpoint
that starts failing, the real relay's failed event in the DLQ, the sandbox's sampled AWS/SQS
depth rising, and the strict emulator's CloudWatch (EVRELAY_EMULATOR_EVALUATE_ALARMS=1:
alarms follow their metric) turning `<stack>-dlq-not-empty` to ALARM, which `evrelay status`
shows and the topic announces.

    .venv/bin/python -m pytest tests/sandbox/test_health_alarms.py -q     # ~30 s

It runs on a moto of its own that evaluates alarms (test_health_verdicts.own_moto).
"""

from __future__ import annotations

import json
import uuid

from lambda_service import LambdaService
from test_health_verdicts import app, destroy, evrelay, own_moto  # noqa: F401 - fixtures
from test_sandbox import wait_for


def alarms(moto, stack) -> dict[str, dict]:
    doc = json.loads(evrelay(moto, "--stack", stack, "--output", "json", "status", "--no-health").stdout)
    return {a["name"]: a for a in doc["alarms"]}


def notifications(sqs, url) -> list[dict]:
    """The alarm messages the topic delivered to the operator's queue (consumed: each once)."""
    out = []
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        out.append(json.loads(json.loads(m["Body"])["Message"]))
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_a_failing_endpoint_fills_the_dlq_and_its_alarm_goes_to_alarm(own_moto, app, evrelay_template, tmp_path):
    moto, stack = own_moto, f"ha{uuid.uuid4().hex[:6]}"
    # The operator's own topic, with a queue subscribed to read what it announces.
    sns, sqs = moto.client("sns"), moto.client("sqs")
    topic = sns.create_topic(Name=f"{stack}-ops")["TopicArn"]
    inbox = sqs.create_queue(QueueName=f"{stack}-ops-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)

    evrelay(moto, "--stack", stack, "deploy", "--cluster", "events", "--url", app.url, "--secret-stdin", "--yes",
            "--alarms", topic, stdin=uuid.uuid4().hex, config_dir=tmp_path)
    app.state.control({"stack": stack, "reset": True, "mode": "ok"})
    svc = LambdaService(moto.endpoint, receiver_url=app.url, work_dir=str(tmp_path / "fn"), retry_delays=(0.05, 0.1))
    try:
        svc.hook(stack)
        dlq_alarm = f"{stack}-dlq-not-empty"
        before = alarms(moto, stack)
        assert before[dlq_alarm]["state"] in ("OK", "INSUFFICIENT_DATA"), before[dlq_alarm]

        # The endpoint fails (500): the event is tried 3 times, then the relay's destination is the DLQ.
        app.state.control({"mode": "error"})
        evrelay(moto, "--stack", stack, "send", "--detail", json.dumps({"event-id": "alarm-1"}))
        wait_for(lambda: svc.status()["stacks"][stack]["stats"]["dlq_written"] == 1, timeout=60, what="the DLQ record")

        # The sandbox samples the DLQ's depth (every SANDBOX_METRICS_PERIOD s) and CloudWatch
        # evaluates the alarm on it: status shows ALARM, with CloudWatch's reason.
        after = wait_for(lambda: (a := alarms(moto, stack))[dlq_alarm]["state"] == "ALARM" and a,
                         timeout=90, step=1, what=f"{dlq_alarm} in ALARM")
        assert "Threshold Crossed" in after[dlq_alarm]["reason"], after[dlq_alarm]
        text = evrelay(moto, "--stack", stack, "status", "--no-health").stdout
        [row] = [ln.split() for ln in text.splitlines() if ln.split()[:1] == [dlq_alarm]]  # the alarm table's row
        assert row[1] == "ALARM", text

        # The topic announced the change, as CloudWatch's SNS action does.
        seen: list[dict] = []
        wait_for(lambda: seen.extend(notifications(sqs, inbox)) or any(
            n["AlarmName"] == dlq_alarm and n["NewStateValue"] == "ALARM" for n in seen), timeout=30,
            what="the ALARM notification")
        [n] = [n for n in seen if n["AlarmName"] == dlq_alarm and n["NewStateValue"] == "ALARM"]
        assert n["OldStateValue"] in ("OK", "INSUFFICIENT_DATA"), n
        assert n["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible", n
    finally:
        try:
            destroy(moto, svc, stack)
        finally:
            svc.stop()
