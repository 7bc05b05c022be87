"""The failover drill on the strict emulator: PutEvents through an EventBridge global endpoint
lands in the primary's or the secondary's bus by the Route 53 health check, replication copies it
to the other Region, and CloudFormation makes the endpoint (AWS::Events::Endpoint). The fixture
and helpers are test_emulator_endpoints.py's.

PutEvents with an EndpointId is signed with SigV4a, which boto3 can only do with awscrt (not
installed here): `_put_via_endpoint` sends the JSON request itself, with a SigV4a-shaped
Authorization header (the emulator, like moto, verifies no signature)."""

import json

import requests

from test_emulator_endpoints import (  # noqa: F401  (url: the module's emulator)
    ACCOUNT,
    EAST,
    WEST,
    _create,
    _error,
    _health_check,
    _replication_role,
    _wait_state,
    client,
    url,
)

# --- PutEvents through the endpoint: the failover drill -------------------------------------------
def _put_via_endpoint(url, endpoint_id, entries):
    """PutEvents as the SDKs send it to a global endpoint: SigV4a, X-Amz-Region-Set: *."""
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSEvents.PutEvents",
        "X-Amz-Date": "20261204T000000Z",
        "X-Amz-Region-Set": "*",
        "Authorization": "AWS4-ECDSA-P256-SHA256 Credential=testing/20261204/events/"
                         "aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, "
                         "Signature=3045022100",
    }
    body = {"EndpointId": endpoint_id, "Entries": entries}
    return requests.post(url + "/", data=json.dumps(body), headers=headers, timeout=10)


def _observed_bus(url, bus):
    """The bus in both Regions, each with a rule sending the drill's events to a queue there."""
    queues = {}
    for region in (EAST, WEST):
        events, sqs = client(url, "events", region), client(url, "sqs", region)
        events.create_event_bus(Name=bus)
        queue = sqs.create_queue(QueueName=f"{bus}-{region}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="drill", EventBusName=bus, EventPattern='{"source": ["drill"]}')
        events.put_targets(Rule="drill", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        queues[region] = (sqs, queue)
    return queues


def _drained(queues, region) -> list:
    sqs, queue = queues[region]
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for message in got:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def _send(url, endpoint_id, bus, order) -> dict:
    answer = _put_via_endpoint(url, endpoint_id, [{
        "Source": "drill", "DetailType": "order", "EventBusName": bus,
        "Detail": json.dumps({"order": order}),
    }])
    assert answer.status_code == 200, answer.text
    return answer.json()


def _landed(queues) -> dict:
    return {r: [e["detail"]["order"] for e in _drained(queues, r)] for r in (EAST, WEST)}


def _active_endpoint(url, name, check, bus, **kwargs) -> str:
    _create(url, name, check, bus=bus, **kwargs)
    _wait_state(url, name, "ACTIVE")
    return client(url, "events").describe_endpoint(Name=name)["EndpointId"]


def test_the_failover_drill_moves_events_to_the_secondary_and_back(url):
    queues = _observed_bus(url, "drill-bus")
    check = _health_check(url, alarm="drill-latency")
    endpoint_id = _active_endpoint(url, "drill", check, "drill-bus")
    r53 = client(url, "route53")

    answer = _send(url, endpoint_id, "drill-bus", 1)
    assert answer["FailedEntryCount"] == 0 and answer["Entries"][0]["EventId"]
    assert _landed(queues) == {EAST: [1], WEST: []}

    r53.update_health_check(HealthCheckId=check, Inverted=True)  # failover start
    _send(url, endpoint_id, "drill-bus", 2)
    landed = _drained(queues, WEST)
    assert [e["detail"]["order"] for e in landed] == [2] and not _drained(queues, EAST)
    assert landed[0]["region"] == WEST  # the secondary's own bus and rules took it

    r53.update_health_check(HealthCheckId=check, Inverted=False)  # failover stop
    _send(url, endpoint_id, "drill-bus", 3)
    assert _landed(queues) == {EAST: [3], WEST: []}


def test_the_alarm_drives_the_route(url):
    queues = _observed_bus(url, "alarm-bus")
    check = _health_check(url, alarm="alarm-latency", insufficient="LastKnownStatus")
    endpoint_id = _active_endpoint(url, "alarmed", check, "alarm-bus")
    cw = client(url, "cloudwatch")

    cw.set_alarm_state(AlarmName="alarm-latency", StateValue="ALARM", StateReason="slow")
    _send(url, endpoint_id, "alarm-bus", 1)
    # LastKnownStatus: with no data the check keeps its last status (unhealthy, from ALARM).
    cw.set_alarm_state(AlarmName="alarm-latency", StateValue="INSUFFICIENT_DATA", StateReason="-")
    _send(url, endpoint_id, "alarm-bus", 2)
    cw.set_alarm_state(AlarmName="alarm-latency", StateValue="OK", StateReason="fast")
    _send(url, endpoint_id, "alarm-bus", 3)
    assert _landed(queues) == {EAST: [3], WEST: [1, 2]}

    r53 = client(url, "route53")
    r53.update_health_check(HealthCheckId=check, InsufficientDataHealthStatus="Unhealthy")
    cw.set_alarm_state(AlarmName="alarm-latency", StateValue="INSUFFICIENT_DATA", StateReason="-")
    _send(url, endpoint_id, "alarm-bus", 4)
    # A disabled check is healthy whatever its alarm says (API_HealthCheckConfig Disabled).
    r53.update_health_check(HealthCheckId=check, Disabled=True)
    _send(url, endpoint_id, "alarm-bus", 5)
    assert _landed(queues) == {EAST: [5], WEST: [4]}


def test_replication_copies_each_event_to_the_other_region(url):
    queues = _observed_bus(url, "copy-bus")
    check = _health_check(url, alarm="copy-latency")
    role = _replication_role(url, "evrelay-replication")
    endpoint_id = _active_endpoint(url, "copied", check, "copy-bus", replication="ENABLED",
                                   role=role)
    sent = _send(url, endpoint_id, "copy-bus", 1)["Entries"][0]["EventId"]
    primary, copy = _drained(queues, EAST), _drained(queues, WEST)
    assert [e["detail"]["order"] for e in primary + copy] == [1, 1]
    assert primary[0]["id"] == sent and copy[0]["id"] != sent
    assert copy[0]["region"] == EAST  # "the Region that the event was replicated from"
    assert copy[0]["resources"] == [f"arn:aws:events:{EAST}:{ACCOUNT}:endpoint/copied"]

    # Failed over, the secondary takes the event and the primary gets the copy.
    client(url, "route53").update_health_check(HealthCheckId=check, Inverted=True)
    _send(url, endpoint_id, "copy-bus", 2)
    assert [e["region"] for e in _drained(queues, WEST)] == [WEST]
    assert [e["region"] for e in _drained(queues, EAST)] == [WEST]


def test_put_events_through_an_unknown_or_deleted_endpoint_is_refused(url):
    queues = _observed_bus(url, "gone-bus")
    check = _health_check(url, alarm="gone-latency")
    endpoint_id = _active_endpoint(url, "gone", check, "gone-bus")
    client(url, "events").delete_endpoint(Name="gone")
    _wait_state(url, "gone", "ResourceNotFoundException")
    answer = _put_via_endpoint(url, endpoint_id, [{
        "Source": "drill", "DetailType": "order", "EventBusName": "gone-bus", "Detail": "{}"}])
    assert (answer.status_code, answer.json()["__type"]) == (400, "ResourceNotFoundException")
    answer = _put_via_endpoint(url, "not an id", [{
        "Source": "drill", "DetailType": "order", "EventBusName": "gone-bus", "Detail": "{}"}])
    assert (answer.status_code, answer.json()["__type"]) == (400, "ValidationException")
    assert "at 'endpointId'" in answer.json()["message"]
    assert _landed(queues) == {EAST: [], WEST: []}


def test_put_events_without_an_endpoint_is_moto_s_as_before(url):
    queues = _observed_bus(url, "plain-bus")
    west = client(url, "events", WEST)
    west.put_events(Entries=[{"Source": "drill", "DetailType": "order", "EventBusName": "plain-bus",
                              "Detail": json.dumps({"order": 7})}])
    assert _landed(queues) == {EAST: [], WEST: [7]}


# --- CloudFormation: AWS::Events::Endpoint --------------------------------------------------------
_ENDPOINT_TEMPLATE = """
Parameters:
  Secondary: {Type: String, Default: us-west-2}
Resources:
  Latency:
    Type: AWS::Route53::HealthCheck
    Properties:
      HealthCheckConfig:
        Type: CLOUDWATCH_METRIC
        AlarmIdentifier: {Region: us-east-1, Name: stack-latency}
        InsufficientDataHealthStatus: Unhealthy
  Endpoint:
    Type: AWS::Events::Endpoint
    Properties:
      Name: stacked
      RoutingConfig:
        FailoverConfig:
          Primary:
            HealthCheck: !Sub "arn:aws:route53:::healthcheck/${Latency.HealthCheckId}"
          Secondary: {Route: !Ref Secondary}
      ReplicationConfig: {State: DISABLED}
      EventBuses:
        - EventBusArn: !Sub "arn:aws:events:us-east-1:${AWS::AccountId}:event-bus/stack-bus"
        - EventBusArn: !Sub "arn:aws:events:${Secondary}:${AWS::AccountId}:event-bus/stack-bus"
Outputs:
  Name: {Value: !Ref Endpoint}
  EndpointId: {Value: !GetAtt Endpoint.EndpointId}
  EndpointUrl: {Value: !GetAtt Endpoint.EndpointUrl}
  Arn: {Value: !GetAtt Endpoint.Arn}
  State: {Value: !GetAtt Endpoint.State}
"""


def test_a_stack_creates_the_endpoint_and_deleting_it_removes_it(url):
    cfn, events = client(url, "cloudformation"), client(url, "events")
    cfn.create_stack(StackName="stacked", TemplateBody=_ENDPOINT_TEMPLATE)
    stack = cfn.describe_stacks(StackName="stacked")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    described = events.describe_endpoint(Name="stacked")
    assert outputs == {
        "Name": "stacked", "EndpointId": described["EndpointId"],
        "EndpointUrl": described["EndpointUrl"], "Arn": described["Arn"], "State": "ACTIVE",
    }
    check = described["RoutingConfig"]["FailoverConfig"]["Primary"]["HealthCheck"].split("/")[-1]
    config = client(url, "route53").get_health_check(HealthCheckId=check)["HealthCheck"][
        "HealthCheckConfig"]
    assert config["AlarmIdentifier"] == {"Region": EAST, "Name": "stack-latency"}

    cfn.delete_stack(StackName="stacked")
    assert _error(events.describe_endpoint, Name="stacked")[0] == "ResourceNotFoundException"


def test_a_stack_whose_endpoint_is_refused_rolls_back(url):
    cfn, events = client(url, "cloudformation"), client(url, "events")
    cfn.create_stack(StackName="refused", TemplateBody=_ENDPOINT_TEMPLATE,
                     Parameters=[{"ParameterKey": "Secondary", "ParameterValue": EAST}])
    stack = cfn.describe_stacks(StackName="refused")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [e.get("ResourceStatusReason", "") for e in
               cfn.describe_stack_events(StackName="refused")["StackEvents"]]
    assert any("[Endpoint]" in r and "must differ from the primary Region" in r for r in reasons)
    assert not events.list_endpoints(NamePrefix="stacked")["Endpoints"]


def test_a_change_set_creates_the_endpoint_or_rolls_back(url):
    cfn, events = client(url, "cloudformation"), client(url, "events")
    for stack, secondary, status in (("changed-bad", EAST, "ROLLBACK_COMPLETE"),
                                     ("changed", WEST, "CREATE_COMPLETE")):
        cfn.create_change_set(
            StackName=stack, ChangeSetName="create", ChangeSetType="CREATE",
            TemplateBody=_ENDPOINT_TEMPLATE.replace("Name: stacked", f"Name: {stack}"),
            Parameters=[{"ParameterKey": "Secondary", "ParameterValue": secondary}],
        )
        cfn.execute_change_set(StackName=stack, ChangeSetName="create")
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == status
    assert [e["Name"] for e in events.list_endpoints(NamePrefix="changed")["Endpoints"]] == [
        "changed"]
    assert events.describe_endpoint(Name="changed")["State"] == "ACTIVE"


def test_an_update_whose_endpoint_is_refused_rolls_back_and_keeps_the_endpoint(url):
    cfn, events = client(url, "cloudformation"), client(url, "events")
    template = _ENDPOINT_TEMPLATE.replace("Name: stacked", "Name: kept").replace(
        "ReplicationConfig: {State: DISABLED}",
        "ReplicationConfig: {State: !Ref Replication}\n      RoleArn: !Ref Role",
    ).replace("Parameters:\n", "Parameters:\n  Replication: {Type: String, Default: DISABLED}\n"
              f"  Role: {{Type: String, Default: 'arn:aws:iam::{ACCOUNT}:role/nobody'}}\n")
    cfn.create_stack(StackName="kept", TemplateBody=template)
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    # Replication on, with a role EventBridge cannot assume: refused, through either path.
    enable = [{"ParameterKey": "Replication", "ParameterValue": "ENABLED"}]
    cfn.create_change_set(StackName="kept", ChangeSetName="on", TemplateBody=template,
                          Parameters=enable)
    cfn.execute_change_set(StackName="kept", ChangeSetName="on")
    stack = cfn.describe_stacks(StackName="kept")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    cfn.update_stack(StackName="kept", TemplateBody=template, Parameters=enable)
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["StackStatus"] == (
        "UPDATE_ROLLBACK_COMPLETE")
    reasons = [e.get("ResourceStatusReason", "") for e in
               cfn.describe_stack_events(StackName="kept")["StackEvents"]]
    assert any("cannot be assumed by principal 'events.amazonaws.com'" in r for r in reasons)
    assert any("failed to update: [Endpoint]" in r for r in reasons)
    assert events.describe_endpoint(Name="kept")["ReplicationConfig"] == {"State": "DISABLED"}

    role = _replication_role(url, "kept-replication")
    cfn.update_stack(StackName="kept", TemplateBody=template, Parameters=enable + [
        {"ParameterKey": "Role", "ParameterValue": role}])
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    described = events.describe_endpoint(Name="kept")
    assert (described["ReplicationConfig"], described["RoleArn"], described["State"]) == (
        {"State": "ENABLED"}, role, "ACTIVE")


def test_the_secondary_archive_keeps_the_replicated_events_for_a_replay(url):
    queues = _observed_bus(url, "archived-bus")
    west = client(url, "events", WEST)
    west.create_archive(ArchiveName="archived-secondary",
                        EventSourceArn=f"arn:aws:events:{WEST}:{ACCOUNT}:event-bus/archived-bus")
    check = _health_check(url, alarm="archived-latency")
    endpoint_id = _active_endpoint(url, "archived", check, "archived-bus", replication="ENABLED",
                                   role=_replication_role(url, "archived-replication"))
    _send(url, endpoint_id, "archived-bus", 1)
    _send(url, endpoint_id, "archived-bus", 2)
    assert west.describe_archive(ArchiveName="archived-secondary")["EventCount"] == 2
    assert _landed(queues) == {EAST: [1, 2], WEST: [1, 2]}
