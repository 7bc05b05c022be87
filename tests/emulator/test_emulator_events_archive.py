"""An archive made by CloudFormation is listed with its name as physical id
(strict/events_archive.py)."""

import json

from test_emulator import client, endpoint  # noqa: F401  (endpoint: the fixture)

TEMPLATE = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "archived-bus"}},
        "Archive": {
            "Type": "AWS::Events::Archive",
            "DependsOn": "Bus",
            "Properties": {
                "SourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/archived-bus",
                "RetentionDays": 7,
            },
        },
    }
}


def test_an_archive_s_physical_id_is_its_name(endpoint):  # noqa: F811
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="archived", TemplateBody=json.dumps(TEMPLATE))
    resources = cfn.describe_stack_resources(StackName="archived")["StackResources"]
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources}
    assert physical["Archive"], resources
    archive = client(endpoint, "events").describe_archive(ArchiveName=physical["Archive"])
    assert archive["RetentionDays"] == 7


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
