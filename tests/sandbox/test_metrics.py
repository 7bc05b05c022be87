"""The metrics the sandbox synthesises (metrics.py): after a healthy send and a failing
endpoint, CloudWatch (moto) holds AWS/Events, AWS/Lambda, AWS/SQS and the relay's own evrelay
metrics, under AWS's names and dimensions, with the values the run implies.

    cargo build && .venv/bin/python -m pytest tests/sandbox/test_metrics.py -q
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import metrics
from lambda_service import LambdaService
from test_sandbox import create_relay_stack, wait_for


def statistic(cw, ns, name, dims, stat="Sum"):
    """The statistic over the last hour (None when the series does not exist)."""
    now = dt.datetime.now(dt.timezone.utc)
    points = cw.get_metric_statistics(
        Namespace=ns, MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - dt.timedelta(hours=1), EndTime=now + dt.timedelta(minutes=5), Period=3600,
        Statistics=[stat])["Datapoints"]
    if not points:
        return None
    values = [p[stat] for p in points]
    return {"Sum": sum, "SampleCount": sum, "Maximum": max, "Minimum": min}[stat](values)


def series(cw, ns) -> set[tuple]:
    """(metric name, its dimensions) of every series in a namespace."""
    return {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
            for m in cw.list_metrics(Namespace=ns)["Metrics"]}


def put(moto, stack, event_id):
    out = moto.client("events").put_events(Entries=[{
        "EventBusName": f"{stack}-bus", "Source": "test", "DetailType": "inbound-event-sent",
        "Detail": json.dumps({"event-id": event_id})}])
    assert out["FailedEntryCount"] == 0


def test_a_healthy_send_then_a_failing_endpoint_leave_aws_metrics(moto, seeded, receiver, evrelay_template, tmp_path):
    stack = f"m{uuid.uuid4().hex[:6]}"
    alb = f"http://{seeded['events']['internal_alb_dns']}/events"
    create_relay_stack(moto, seeded, evrelay_template, stack, alb, "s3cret-metrics-1")
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok"})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path), retry_delays=(0.05, 0.1))
    try:
        svc.hook(stack)
        # The operator sends two events: both delivered.
        put(moto, stack, "ok-1")
        put(moto, stack, "ok-2")
        wait_for(lambda: receiver.state.stats()["accepted"] == 2, what="two events accepted")
        # The endpoint starts failing (500): the next event is tried 3 times, then lands in the DLQ.
        receiver.state.control({"mode": "error"})
        put(moto, stack, "bad-1")
        wait_for(lambda: svc.status()["stacks"][stack]["stats"]["dlq_written"] == 1, timeout=30, what="the DLQ record")
        wait_for(lambda: svc.idle(stack), what="idle")
        svc.hooked[stack].runner.queues.sample()
        metrics.publisher(moto.endpoint).flush()

        cw = moto.client("cloudwatch")
        rule = {"EventBusName": f"{stack}-bus", "RuleName": f"{stack}-inbound"}
        fn = {"FunctionName": f"{stack}-relay"}
        dlq = {"QueueName": f"{stack}-dlq"}
        for name in ("MatchedEvents", "TriggeredRules", "Invocations"):
            assert statistic(cw, "AWS/Events", name, rule) == 3, name
        # 2 delivered + 1 event tried 3 times (1 + MaximumRetryAttempts).
        assert statistic(cw, "AWS/Lambda", "Invocations", fn) == 5
        assert statistic(cw, "AWS/Lambda", "Errors", fn) == 3
        assert statistic(cw, "AWS/Lambda", "Duration", fn, "SampleCount") == 5
        assert statistic(cw, "AWS/Lambda", "Duration", fn, "Minimum") > 0
        assert statistic(cw, "AWS/Lambda", "AsyncEventAge", fn, "SampleCount") == 5
        assert statistic(cw, "AWS/Lambda", "AsyncEventsDropped", fn) == 1
        # Emitted only when non-zero, as on AWS: the record reached the DLQ; nothing throttled.
        lambda_series = {n for n, d in series(cw, "AWS/Lambda") if d == (("FunctionName", fn["FunctionName"]),)}
        assert not {"DestinationDeliveryFailures", "Throttles"} & lambda_series
        assert "FailedInvocations" not in {n for n, _ in series(cw, "AWS/Events")}
        assert statistic(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq, "Maximum") == 1
        assert statistic(cw, "AWS/SQS", "ApproximateAgeOfOldestMessage", dlq, "Maximum") >= 0

        # The relay's own, extracted from its log lines' EMF members.
        own = {"Stack": stack}
        assert statistic(cw, "evrelay", "Delivered", own) == 2
        assert statistic(cw, "evrelay", "Failed", own) == 3
        assert statistic(cw, "evrelay", "Endpoint2xx", own) == 2
        assert statistic(cw, "evrelay", "Endpoint5xx", own) == 3
        assert statistic(cw, "evrelay", "DeliveryLatency", own, "SampleCount") == 5
        # Its series carry the one dimension, Stack (the session's moto holds other tests' stacks too).
        mine = {d for _, d in series(cw, "evrelay") if ("Stack", stack) in d}
        assert mine == {(("Stack", stack),)}
    finally:
        svc.stop()
        moto.client("cloudformation").delete_stack(StackName=stack)


def test_emf_lines_are_read_as_cloudwatch_logs_would():
    line = json.dumps({"Stack": "s", "Delivered": 1, "DeliveryLatency": [3, 4], "Bad": "x", "_aws": {
        "Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "evrelay", "Dimensions": [["Stack"]], "Metrics": [
            {"Name": "Delivered", "Unit": "Count"}, {"Name": "DeliveryLatency", "Unit": "Milliseconds"},
            {"Name": "Bad"}]}]}})
    assert metrics.emf_datums(line) == [
        ("evrelay", "Delivered", 1, "Count", {"Stack": "s"}),
        ("evrelay", "DeliveryLatency", 3, "Milliseconds", {"Stack": "s"}),
        ("evrelay", "DeliveryLatency", 4, "Milliseconds", {"Stack": "s"}),
    ]
    assert metrics.emf_datums("START RequestId: 1") == []
    assert metrics.emf_datums(json.dumps({"Stack": 7, "_aws": {"CloudWatchMetrics": [
        {"Namespace": "evrelay", "Dimensions": [["Stack"]], "Metrics": [{"Name": "Stack"}]}]}})) == []
