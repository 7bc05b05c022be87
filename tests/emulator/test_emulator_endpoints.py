"""EventBridge global endpoints on the strict emulator (strict/events_endpoints*.py,
strict/route53.py), checked against the launcher itself: the API's refusals, the endpoint's life
and the health check's status. The failover drill is test_emulator_endpoints_drill.py."""

import json
import re
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from launch import emulator

ACCOUNT = "123456789012"
EAST, WEST = "us-east-1", "us-west-2"


@pytest.fixture(scope="module")
def url():
    with emulator(EVRELAY_EMULATOR_ENDPOINT_SECONDS="0.3") as url:
        yield url


def client(url, service, region=EAST):
    # parameter_validation off: the emulator's own refusals are what is under test.
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


def _error(call, *args, **kwargs) -> tuple:
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def _bus_arn(region, name):
    return f"arn:aws:events:{region}:{ACCOUNT}:event-bus/{name}"


def _health_check(url, alarm="latency", insufficient=None) -> str:
    """A CLOUDWATCH_METRIC health check on an alarm in us-east-1, as eb-ge-cfn.html builds it."""
    cw = client(url, "cloudwatch")
    cw.put_metric_alarm(
        AlarmName=alarm, MetricName="IngestionToInvocationStartLatency", Namespace="AWS/Events",
        Statistic="Average", Period=60, EvaluationPeriods=5, Threshold=30000,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="breaching",
    )
    cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="drill")
    config = {"Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Region": EAST, "Name": alarm}}
    if insufficient:
        config["InsufficientDataHealthStatus"] = insufficient
    r53 = client(url, "route53")
    check = r53.create_health_check(CallerReference=alarm, HealthCheckConfig=config)
    return check["HealthCheck"]["Id"]


def _replication_role(url, name, service="events.amazonaws.com") -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    return client(url, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        trust))["Role"]["Arn"]


def _create(url, name, check_id, bus="orders", replication="DISABLED", role=None, **overrides):
    body = {
        "Name": name,
        "RoutingConfig": {"FailoverConfig": {
            "Primary": {"HealthCheck": f"arn:aws:route53:::healthcheck/{check_id}"},
            "Secondary": {"Route": WEST},
        }},
        "ReplicationConfig": {"State": replication},
        "EventBuses": [{"EventBusArn": _bus_arn(EAST, bus)}, {"EventBusArn": _bus_arn(WEST, bus)}],
    }
    if role:
        body["RoleArn"] = role
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    return client(url, "events").create_endpoint(**body)


def _wait_state(url, name, state, region=EAST):
    events = client(url, "events", region)
    deadline = time.monotonic() + 10
    while True:
        try:
            found = events.describe_endpoint(Name=name)["State"]
        except ClientError as e:
            found = e.response["Error"]["Code"]
        if found == state:
            return
        assert time.monotonic() < deadline, f"{name} stayed {found}, expected {state}"
        time.sleep(0.05)


# --- The API's refusals -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"Name": "orders endpoint!"}, "'name' failed to satisfy constraint: Member must satisfy"),
        ({"Name": "n" * 65}, "'name' failed to satisfy constraint: Member must have length less"),
        ({"Description": "d" * 513}, "at 'description'"),
        ({"RoutingConfig": {"FailoverConfig": {
            "Primary": {"HealthCheck": "healthcheck-1"}, "Secondary": {"Route": WEST}}}},
         "at 'routingConfig.failoverConfig.primary.healthCheck'"),
        ({"RoutingConfig": {"FailoverConfig": {
            "Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/abc"}}}},
         "Value null at 'routingConfig.failoverConfig.secondary'"),
        ({"EventBuses": [{"EventBusArn": _bus_arn(EAST, "orders")}]},
         "at 'eventBuses' failed to satisfy constraint: Member must have length greater"),
        ({"ReplicationConfig": {"State": "ON"}}, "enum value set: [ENABLED, DISABLED]"),
        ({"RoleArn": "orders-role"}, "at 'roleArn'"),
    ],
)
def test_create_endpoint_refuses_a_field_outside_its_constraints(url, overrides, field):
    check = _health_check(url, alarm="fields")
    code, message = _error(_create, url, "fields", check, **overrides)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value ")
    assert field in message
    assert not client(url, "events").list_endpoints(NamePrefix="fields")["Endpoints"]


def test_create_endpoint_refuses_settings_that_cannot_fail_over(url):
    check = _health_check(url, alarm="settings")
    events = client(url, "events")
    cases = [
        ({"RoutingConfig": {"FailoverConfig": {
            "Primary": {"HealthCheck": f"arn:aws:route53:::healthcheck/{check}"},
            "Secondary": {"Route": EAST}}}}, "must differ from the primary Region us-east-1"),
        ({"EventBuses": [{"EventBusArn": _bus_arn("eu-west-1", "orders")},
                         {"EventBusArn": _bus_arn(WEST, "orders")}]},
         "one event bus in the primary Region us-east-1"),
        ({"EventBuses": [{"EventBusArn": _bus_arn(EAST, "orders")},
                         {"EventBusArn": _bus_arn(WEST, "billing")}]}, "the same name"),
        ({"EventBuses": [{"EventBusArn": _bus_arn(EAST, "orders")},
                         {"EventBusArn": f"arn:aws:events:{WEST}:210987654321:event-bus/orders"}]},
         "in the endpoint's account"),
        ({"RoutingConfig": {"FailoverConfig": {
            "Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/0000-missing"},
            "Secondary": {"Route": WEST}}}}, "0000-missing does not exist"),
        ({"ReplicationConfig": None}, "RoleArn is required when event replication is enabled"),
        ({"ReplicationConfig": {"State": "ENABLED"}}, "RoleArn is required"),
        ({"ReplicationConfig": {"State": "ENABLED"},
          "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/missing"},
         f"Provided role 'arn:aws:iam::{ACCOUNT}:role/missing' cannot be assumed by principal "
         "'events.amazonaws.com'."),
        ({"ReplicationConfig": {"State": "ENABLED"},
          "RoleArn": _replication_role(url, "lambda-trusting", "lambda.amazonaws.com")},
         "cannot be assumed by principal 'events.amazonaws.com'"),
    ]
    for overrides, reason in cases:
        code, message = _error(_create, url, "settings", check, **overrides)
        assert (code, reason in message) == ("ValidationException", True), (overrides, message)
    assert not events.list_endpoints(NamePrefix="settings")["Endpoints"]


def test_a_region_without_global_endpoints_is_refused(url):
    check = _health_check(url, alarm="cape-town")
    code, message = _error(
        _create, url, "cape-town", check,
        RoutingConfig={"FailoverConfig": {
            "Primary": {"HealthCheck": f"arn:aws:route53:::healthcheck/{check}"},
            "Secondary": {"Route": "af-south-1"}}},
        EventBuses=[{"EventBusArn": _bus_arn(EAST, "orders")},
                    {"EventBusArn": _bus_arn("af-south-1", "orders")}],
    )
    assert code == "ValidationException"
    assert "not available in the secondary Region af-south-1" in message


# --- The endpoint's life ------------------------------------------------------------------------
def test_an_endpoint_is_created_described_listed_updated_and_deleted(url):
    check = _health_check(url, alarm="life")
    events, west = client(url, "events"), client(url, "events", WEST)
    created = _create(url, "life", check, Description="orders, two Regions")
    assert created["State"] == "CREATING"
    assert created["Arn"] == f"arn:aws:events:{EAST}:{ACCOUNT}:endpoint/life"
    assert created["ReplicationConfig"] == {"State": "DISABLED"}
    assert "EndpointId" not in created  # CreateEndpoint's response has none: describe it
    code, _ = _error(_create, url, "life", check)
    assert code == "ResourceAlreadyExistsException"

    _wait_state(url, "life", "ACTIVE")
    described = events.describe_endpoint(Name="life")
    assert re.fullmatch(r"[a-z0-9]{10}\.veo", described["EndpointId"])
    assert described["EndpointUrl"] == (
        f"https://{described['EndpointId']}.endpoint.events.amazonaws.com"
    )
    assert described["Description"] == "orders, two Regions"
    # The endpoint belongs to its primary Region; another Region finds it by HomeRegion.
    assert _error(west.describe_endpoint, Name="life")[0] == "ResourceNotFoundException"
    assert west.describe_endpoint(Name="life", HomeRegion=EAST)["Arn"] == created["Arn"]
    assert not west.list_endpoints(NamePrefix="life")["Endpoints"]
    assert [e["Name"] for e in west.list_endpoints(HomeRegion=EAST, NamePrefix="life")[
        "Endpoints"]] == ["life"]

    updated = events.update_endpoint(Name="life", Description="orders")
    assert (updated["State"], updated["EndpointId"]) == ("UPDATING", described["EndpointId"])
    code, _ = _error(events.update_endpoint, Name="life", Description="again")
    assert code == "ConcurrentModificationException"
    _wait_state(url, "life", "ACTIVE")
    code, message = _error(events.update_endpoint, Name="life",
                           ReplicationConfig={"State": "ENABLED"})
    assert (code, "RoleArn is required" in message) == ("ValidationException", True)

    events.delete_endpoint(Name="life")
    assert events.describe_endpoint(Name="life")["State"] == "DELETING"
    _wait_state(url, "life", "ResourceNotFoundException")
    assert _error(events.delete_endpoint, Name="life")[0] == "ResourceNotFoundException"


def test_list_endpoints_pages_by_max_results(url):
    check = _health_check(url, alarm="pages")
    for name in ("pages-a", "pages-b", "pages-c"):
        _create(url, name, check)
    events = client(url, "events")
    seen, token = [], None
    while True:
        page = events.list_endpoints(NamePrefix="pages-", MaxResults=2,
                                     **({"NextToken": token} if token else {}))
        assert len(page["Endpoints"]) <= 2
        seen += [e["Name"] for e in page["Endpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ["pages-a", "pages-b", "pages-c"]
    code, message = _error(events.list_endpoints, MaxResults=101)
    assert (code, "Member must have value less than or equal to 100" in message) == (
        "ValidationException", True)


def test_a_health_check_keeps_its_alarm(url):
    check = _health_check(url, alarm="kept", insufficient="Unhealthy")
    config = client(url, "route53").get_health_check(HealthCheckId=check)["HealthCheck"][
        "HealthCheckConfig"]
    assert config["AlarmIdentifier"] == {"Region": EAST, "Name": "kept"}
    assert config["InsufficientDataHealthStatus"] == "Unhealthy"


# --- A CLOUDWATCH_METRIC health check's status, from its alarm's states ---------------------------
@pytest.mark.parametrize(
    "states, insufficient, healthy",
    [
        (["OK"], None, True),
        (["OK", "ALARM"], None, False),
        (["ALARM", "INSUFFICIENT_DATA"], "Healthy", True),
        (["OK", "INSUFFICIENT_DATA"], "Unhealthy", False),
        (["OK", "ALARM", "INSUFFICIENT_DATA"], "LastKnownStatus", False),
        # Unset: LastKnownStatus (API_HealthCheckConfig names no default; the console offers it).
        (["ALARM", "OK", "INSUFFICIENT_DATA"], None, True),
        (["INSUFFICIENT_DATA"], "LastKnownStatus", True),  # no last status yet: healthy
        ([], "Unhealthy", False),  # no such alarm: CloudWatch has no data for it
    ],
)
def test_a_health_check_follows_its_alarm(states, insufficient, healthy):
    from strict.route53 import alarm_health

    assert alarm_health(states, insufficient) is healthy
