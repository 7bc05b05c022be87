"""SQS dead-letter queue redrive in the strict emulator (strict/sqs_move.py): StartMessageMoveTask,
ListMessageMoveTasks, CancelMessageMoveTask, against the launcher itself."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from test_emulator import client, endpoint  # noqa: F401  (the launcher fixture)


def _wait(sqs, dlq_arn, status, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if task["Status"] == status or time.monotonic() > deadline:
            return task
        time.sleep(0.05)


def _arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.fixture
def queues(endpoint):  # noqa: F811
    """A source queue redriving to a DLQ after one receive, and a DLQ holding `n` of its messages."""
    sqs = client(endpoint, "sqs")
    name = f"mv-{time.monotonic_ns()}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = _arn(sqs, dlq)
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    source = sqs.create_queue(QueueName=f"{name}-src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    other = sqs.create_queue(QueueName=f"{name}-other")["QueueUrl"]

    def fail(n):
        for i in range(n):
            sqs.send_message(
                QueueUrl=source,
                MessageBody=json.dumps({"id": f"ev-{i}", "detail-type": "t", "source": "s"}),
                MessageAttributes={"origin": {"DataType": "String", "StringValue": f"o-{i}"}},
            )
        # One receive each (visibility 0), then the next receive moves them to the DLQ.
        for _ in range(n):
            sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
        depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
        assert depth["Attributes"]["ApproximateNumberOfMessages"] == str(n)

    return sqs, source, dlq, dlq_arn, other, fail


def _bodies(sqs, url):
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"],
    ).get("Messages", [])
    return got


def test_a_move_task_runs_then_completes_with_bodies_and_attributes_intact(queues):
    sqs, _, dlq, dlq_arn, other, fail = queues
    fail(3)
    in_dlq = {m["MessageId"] for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]}
    other_arn = _arn(sqs, other)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=other_arn, MaxNumberOfMessagesPerSecond=5)["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["ApproximateNumberOfMessagesToMove"] == 3
    assert running["DestinationArn"] == other_arn
    assert running["MaxNumberOfMessagesPerSecond"] == 5
    done = _wait(sqs, dlq_arn, "COMPLETED")
    assert done["Status"] == "COMPLETED"
    assert done["ApproximateNumberOfMessagesMoved"] == 3
    # The handle is only listed while the task runs.
    assert "TaskHandle" not in done
    moved = _bodies(sqs, other)
    assert sorted(json.loads(m["Body"])["id"] for m in moved) == ["ev-0", "ev-1", "ev-2"]
    assert sorted(m["MessageAttributes"]["origin"]["StringValue"] for m in moved) == ["o-0", "o-1", "o-2"]
    # New messages: new ids, received once (this receive) at their destination.
    assert not in_dlq & {m["MessageId"] for m in moved}
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in moved} == {"1"}
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert depth["ApproximateNumberOfMessages"] == "0"
    assert depth["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_without_a_destination_messages_go_back_to_their_source_queue(queues):
    sqs, source, _, dlq_arn, _, fail = queues
    fail(2)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    done = _wait(sqs, dlq_arn, "COMPLETED")
    assert done["ApproximateNumberOfMessagesMoved"] == 2
    assert "DestinationArn" not in done and "MaxNumberOfMessagesPerSecond" not in done
    assert sorted(json.loads(m["Body"])["id"] for m in _bodies(sqs, source)) == ["ev-0", "ev-1"]


def test_a_message_sent_to_the_dlq_directly_has_no_source_to_go_back_to(queues):
    sqs, _, dlq, dlq_arn, _, _ = queues
    sqs.send_message(QueueUrl=dlq, MessageBody="straight in")
    sqs.start_message_move_task(SourceArn=dlq_arn)
    failed = _wait(sqs, dlq_arn, "FAILED")
    assert failed["Status"] == "FAILED"
    assert failed["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    # Nothing lost: the message is still in the DLQ.
    assert [m["Body"] for m in _bodies(sqs, dlq)] == ["straight in"]


def test_only_a_dead_letter_queue_can_be_a_source(queues):
    sqs, source, _, _, _, _ = queues
    with pytest.raises(ClientError) as e:
        sqs.start_message_move_task(SourceArn=_arn(sqs, source))
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "must be configured as a Dead Letter Queue" in e.value.response["Error"]["Message"]


def test_missing_queues_and_a_rate_above_500_are_refused(queues):
    sqs, _, _, dlq_arn, _, _ = queues
    gone = dlq_arn.rsplit(":", 1)[0] + ":no-such-queue"
    for kwargs, code, words in [
        ({"SourceArn": gone}, "ResourceNotFoundException", "SourceArn"),
        ({"SourceArn": dlq_arn, "DestinationArn": gone}, "ResourceNotFoundException", "DestinationArn"),
        ({"SourceArn": dlq_arn, "MaxNumberOfMessagesPerSecond": 501}, "InvalidParameterValue", "MaxNumberOfMessagesPerSecond"),
    ]:
        with pytest.raises(ClientError) as e:
            sqs.start_message_move_task(**kwargs)
        assert e.value.response["Error"]["Code"] == code, kwargs
        assert words in e.value.response["Error"]["Message"], kwargs


def test_one_active_task_per_source_and_cancel_stops_it(queues):
    sqs, _, dlq, dlq_arn, other, fail = queues
    fail(4)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=_arn(sqs, other), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    with pytest.raises(ClientError) as e:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert "Only one active task is allowed" in e.value.response["Error"]["Message"]
    sqs.cancel_message_move_task(TaskHandle=handle)
    cancelled = _wait(sqs, dlq_arn, "CANCELLED")
    assert cancelled["Status"] == "CANCELLED"
    # Cancelling does not revert what was moved; the rest stays in the DLQ.
    left = int(sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
    assert left + cancelled["ApproximateNumberOfMessagesMoved"] == 4
    assert left >= 3
    # A finished task cannot be cancelled; a handle that is not one is invalid.
    for bad, code in [(handle, "InvalidParameterValue"), ("not-a-handle", "InvalidParameterValue")]:
        with pytest.raises(ClientError) as e:
            sqs.cancel_message_move_task(TaskHandle=bad)
        assert e.value.response["Error"]["Code"] == code
    # A new task may start once the last one is over; the list is newest first.
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=_arn(sqs, other))
    _wait(sqs, dlq_arn, "COMPLETED")
    both = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert [t["Status"] for t in both] == ["COMPLETED", "CANCELLED"]
