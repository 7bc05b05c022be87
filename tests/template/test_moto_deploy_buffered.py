"""The relay template in buffered delivery (Delivery=buffered), deployed on the strict emulator:
EventBridge → buffer queue → event source mapping → relay, the DLQ behind the buffer.

Shares test_moto_deploy.py's emulator, clients and network (same module-scoped fixtures)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from test_moto_deploy import ACCOUNT, REGION, _deploy, aws, endpoint, network, rendered  # noqa: F401

BUFFERED = {
    "Delivery": "buffered",
    "MaxConcurrency": "3",
    "BatchSize": "50",
    "BatchWindowSeconds": "2",
    # 6 x the default FunctionTimeout (90) + the window, as evrelay deploy computes it.
    "BufferVisibilityTimeoutSeconds": "542",
    "MaxReceiveCount": "4",
}


@pytest.fixture(scope="module")
def buffered(aws, rendered, network):  # noqa: F811
    name = f"evr-buf-{uuid.uuid4().hex[:6]}"
    deployed = _deploy(aws, rendered, network, name, **BUFFERED)
    yield name, deployed
    aws("cloudformation").delete_stack(StackName=name)


def _arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def test_buffered_stack_puts_a_buffer_and_a_mapping_before_the_relay(aws, buffered):  # noqa: F811
    stack, deployed = buffered
    assert deployed["stack"]["StackStatus"] == "CREATE_COMPLETE", deployed["stack"].get("StackStatusReason")
    sqs = aws("sqs")
    buffer_url = sqs.get_queue_url(QueueName=f"{stack}-buffer")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=buffer_url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "542"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["SqsManagedSseEnabled"] == "true"
    assert json.loads(attrs["RedrivePolicy"]) == {
        "deadLetterTargetArn": _arn("sqs", f"{stack}-dlq"),
        "maxReceiveCount": 4,
    }

    [mapping] = aws("lambda").list_event_source_mappings(FunctionName=f"{stack}-relay")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == _arn("sqs", f"{stack}-buffer")
    assert mapping["State"] == "Enabled"
    assert mapping["BatchSize"] == 50
    assert mapping["MaximumBatchingWindowInSeconds"] == 2
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 3}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    events = aws("events")
    targets = {
        t["Id"]: t
        for t in events.list_targets_by_rule(Rule=f"{stack}-inbound", EventBusName=f"{stack}-bus")["Targets"]
    }
    assert set(targets) == {"buffer", "events-log"}
    assert targets["buffer"]["Arn"] == _arn("sqs", f"{stack}-buffer")
    assert targets["buffer"]["DeadLetterConfig"] == {"Arn": _arn("sqs", f"{stack}-dlq")}


def test_an_inbound_event_waits_in_the_buffer_as_the_eventbridge_event(aws, buffered):  # noqa: F811
    stack, _ = buffered
    put = aws("events").put_events(
        Entries=[
            {
                "EventBusName": f"{stack}-bus",
                "Source": "eventProducerApp",
                "DetailType": "inbound-event-sent",
                "Detail": json.dumps({"order": 7}),
            }
        ]
    )
    assert put["FailedEntryCount"] == 0
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=f"{stack}-buffer")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, AttributeNames=["ApproximateReceiveCount"])
    [message] = got["Messages"]
    body = json.loads(message["Body"])
    assert body["id"] == put["Entries"][0]["EventId"]
    assert body["detail"] == {"order": 7}
    # Nothing but this receive touched it (the emulator's mapping does not poll).
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_a_direct_stack_has_no_buffer_and_no_mapping(aws, rendered, network):  # noqa: F811
    stack = f"evr-dir-{uuid.uuid4().hex[:6]}"
    deployed = _deploy(aws, rendered, network, stack)
    try:
        assert deployed["stack"]["StackStatus"] == "CREATE_COMPLETE"
        with pytest.raises(ClientError):
            aws("sqs").get_queue_url(QueueName=f"{stack}-buffer")
        assert aws("lambda").list_event_source_mappings(FunctionName=f"{stack}-relay")["EventSourceMappings"] == []
    finally:
        aws("cloudformation").delete_stack(StackName=stack)


def test_a_visibility_timeout_below_the_function_timeout_fails_the_stack(aws, rendered, network):  # noqa: F811
    stack = f"evr-vis-{uuid.uuid4().hex[:6]}"
    with pytest.raises(ClientError) as e:
        _deploy(aws, rendered, network, stack, **dict(BUFFERED, BufferVisibilityTimeoutSeconds="60"))
    assert "Queue visibility timeout: 60 seconds is less than Function timeout: 90 seconds" in str(e.value)
    aws("cloudformation").delete_stack(StackName=stack)


def test_direct_delivery_keeps_exactly_todays_resources():
    from test_moto_deploy import TEMPLATE_PATH, load_template

    res = load_template(TEMPLATE_PATH.read_text())["Resources"]
    # The alarms (--alarms) are off by default: their conditions are false without the flag.
    opt_in = {"Buffered", "Alarms", "AlarmsToOwnTopic", "BufferAlarm"}
    direct = {k for k, v in res.items() if v.get("Condition") not in opt_in}
    assert direct == {
        "Bus", "Dlq", "ResponsesQueue", "RelayLogGroup", "EventsLogGroup", "RelayRole", "Function",
        "InboundRule", "OutboundRule", "InvokePermission", "ApiKeySecret", "DlqPolicy",
        "ResponsesQueuePolicy", "InvokeConfig",
    }
    assert {k for k, v in res.items() if v.get("Condition") == "Buffered"} == {"Buffer", "BufferMapping"}
