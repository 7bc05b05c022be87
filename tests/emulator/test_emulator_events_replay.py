"""A replay replays only the events of its window (strict/events_replay.py)."""

from test_emulator import client, endpoint  # noqa: F401  (endpoint: the fixture)


def test_a_replay_replays_only_the_events_of_its_window(endpoint):  # noqa: F811
    import time

    events, sqs = client(endpoint, "events"), client(endpoint, "sqs")
    events.create_event_bus(Name="window-bus")
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/window-bus"
    archive = events.create_archive(ArchiveName="window", EventSourceArn=bus)["ArchiveArn"]
    queue = sqs.create_queue(QueueName="window")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    events.put_rule(Name="q", EventBusName="window-bus", EventPattern='{"source": ["w"]}')
    events.put_targets(Rule="q", EventBusName="window-bus", Targets=[{"Id": "q", "Arn": arn}])
    put_at = time.time()
    events.put_events(Entries=[{"Source": "w", "DetailType": "d", "Detail": "{}",
                                "EventBusName": "window-bus"}])
    sqs.purge_queue(QueueUrl=queue)

    def replayed(name, start, end) -> int:
        events.start_replay(ReplayName=name, EventSourceArn=archive, EventStartTime=start,
                            EventEndTime=end, Destination={"Arn": bus})
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        for m in got:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        return len(got)

    assert replayed("before", put_at - 3600, put_at - 60) == 0
    assert replayed("around", put_at - 60, put_at + 60) == 1


def test_a_completed_replay_cannot_be_cancelled(endpoint):  # noqa: F811
    from botocore.exceptions import ClientError
    import pytest

    events = client(endpoint, "events")
    events.create_event_bus(Name="done-bus")
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/done-bus"
    archive = events.create_archive(ArchiveName="done", EventSourceArn=bus)["ArchiveArn"]
    events.start_replay(ReplayName="done", EventSourceArn=archive, EventStartTime=0,
                        EventEndTime=1, Destination={"Arn": bus})
    assert events.describe_replay(ReplayName="done")["State"] == "COMPLETED"
    with pytest.raises(ClientError) as e:
        events.cancel_replay(ReplayName="done")
    assert e.value.response["Error"]["Code"] == "IllegalStatusException"


def test_with_replay_seconds_a_replay_runs_until_done_or_cancelled():
    import time

    from launch import emulator

    with emulator(EVRELAY_EMULATOR_REPLAY_SECONDS="1") as url:
        events = client(url, "events")
        events.create_event_bus(Name="slow-bus")
        bus = "arn:aws:events:us-east-1:123456789012:event-bus/slow-bus"
        archive = events.create_archive(ArchiveName="slow", EventSourceArn=bus)["ArchiveArn"]
        for name in ("runs", "stops"):
            events.start_replay(ReplayName=name, EventSourceArn=archive, EventStartTime=0,
                                EventEndTime=1, Destination={"Arn": bus})
            assert events.describe_replay(ReplayName=name)["State"] == "RUNNING"
        assert events.cancel_replay(ReplayName="stops")["State"] == "CANCELLING"
        deadline = time.monotonic() + 10
        states = {}
        while time.monotonic() < deadline:
            states = {n: events.describe_replay(ReplayName=n)["State"] for n in ("runs", "stops")}
            if states == {"runs": "COMPLETED", "stops": "CANCELLED"}:
                break
            time.sleep(0.1)
        assert states == {"runs": "COMPLETED", "stops": "CANCELLED"}
