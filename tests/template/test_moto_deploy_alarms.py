"""The template with --alarms EMAIL on the strict emulator: the alarms and the stack's topic with
its email subscription are created, named from the stack, and notify that topic."""

import uuid

from test_moto_deploy import _deploy, aws, endpoint, network, rendered  # noqa: F401  (fixtures)


def test_alarms_to_an_email_make_the_topic_the_subscription_and_the_alarms(aws, rendered, network):  # noqa: F811
    name = f"evr-al-{uuid.uuid4().hex[:6]}"
    deployed = _deploy(aws, rendered, network, name, AlarmEmail="ops@example.com")
    assert deployed["stack"]["StackStatus"] == "CREATE_COMPLETE", deployed["stack"]
    alarms = aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"{name}-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        f"{name}-{s}" for s in ["dlq-not-empty", "relay-errors", "relay-throttles", "event-age", "events-dropped"]
    )
    topic = f":{name}-alarms"
    assert all(a["AlarmActions"][0].endswith(topic) and a["StateValue"] == "INSUFFICIENT_DATA" for a in alarms), alarms
    aws("cloudformation").delete_stack(StackName=name)
