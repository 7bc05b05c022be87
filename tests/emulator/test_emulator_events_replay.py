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
