"""CloudWatch on the strict emulator, spoken as aws-sdk-cloudwatch speaks it (Smithy RPC v2 CBOR)
over real HTTP to the launcher, plus the boto3 (JSON) path the sandbox publishes metrics with."""

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import cbor2
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

LAUNCHER = Path(__file__).with_name("moto_launcher.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = _free_port()
    env = dict(os.environ, EVRELAY_EMULATOR_EVALUATE_ALARMS="1")
    proc = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)
    yield url
    proc.kill()
    proc.wait()


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.raw = status, headers, body
        self.body = cbor2.loads(body) if body else None


def cbor(endpoint, operation, params, extra_headers=None, gzipped=False):
    """One request exactly as the Rust SDK sends it: POST to the operation's path, the
    rpcv2Cbor headers, a CBOR body, SigV4 credentials scoped to us-east-1/monitoring."""
    body = cbor2.dumps(params)
    headers = {
        "smithy-protocol": "rpc-v2-cbor",
        "Content-Type": "application/cbor",
        "Accept": "application/cbor",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/monitoring/"
        "aws4_request, SignedHeaders=host;smithy-protocol, Signature=0",
    }
    if gzipped:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    headers.update(extra_headers or {})
    request = urllib.request.Request(
        f"{endpoint}/service/GraniteServiceVersion20100801/operation/{operation}",
        data=body,
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return Answer(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


def ts(dt: datetime) -> cbor2.CBORTag:
    return cbor2.CBORTag(1, dt.timestamp())


def now() -> datetime:
    return datetime.now(timezone.utc)


def minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def refused(answer, status, code, shape):
    assert answer.status == status, answer.body
    assert answer.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert answer.headers["x-amzn-query-error"].split(";")[0] == code
    assert answer.body["__type"] == f"com.amazonaws.cloudwatch#{shape}"
    return answer.body.get("message") or answer.body.get("Message")


def query(qid, namespace, name, stat, period=60, dims=()):
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": list(dims)},
            "Period": period,
            "Stat": stat,
        },
    }


def test_metrics_put_then_read_back_with_percentiles(endpoint):
    at = minute(now()) - timedelta(minutes=2)
    dims = [{"Name": "FunctionName", "Value": "relay"}]
    put = cbor(endpoint, "PutMetricData", {
        "Namespace": "Evrelay/Test",
        "MetricData": [{
            "MetricName": "Latency", "Dimensions": dims, "Timestamp": ts(at + timedelta(seconds=5)),
            "Values": [float(v) for v in range(1, 101)], "Counts": [1.0] * 100, "Unit": "Milliseconds",
        }],
    })
    assert put.status == 200 and put.raw == b""  # no output shape: no body
    assert "Content-Type" not in put.headers
    got = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [
            query(s.lower().replace(".", "_"), "Evrelay/Test", "Latency", s, dims=dims)
            for s in ("p50", "p99", "Sum", "SampleCount", "Average", "Maximum")
        ] + [query("other", "Evrelay/Test", "Latency", "Sum")],  # no dimensions: another metric
        "StartTime": ts(at - timedelta(minutes=5)),
        "EndTime": ts(now()),
        "ScanBy": "TimestampAscending",
    })
    assert got.status == 200 and got.headers["Content-Type"] == "application/cbor"
    results = {r["Id"]: r for r in got.body["MetricDataResults"]}
    assert {k: r["Values"] for k, r in results.items()} == {
        "p50": [50.0], "p99": [99.0], "sum": [5050.0], "samplecount": [100.0],
        "average": [50.5], "maximum": [100.0], "other": [],
    }
    assert results["p50"]["Timestamps"] == [at]  # tag 1, aligned to the period
    assert results["p50"]["StatusCode"] == "Complete"
    assert results["p50"]["Label"] == "Latency"


def test_get_metric_data_pages_by_max_datapoints(endpoint):
    base = minute(now()) - timedelta(minutes=6)
    cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Paging", "MetricData": [
        {"MetricName": "Count", "Timestamp": ts(base + timedelta(minutes=k)), "Value": float(k)}
        for k in range(5)
    ]})
    request = {
        "MetricDataQueries": [query("m", "Evrelay/Paging", "Count", "Sum")],
        "StartTime": ts(base), "EndTime": ts(now()), "MaxDatapoints": 2,
    }
    values, statuses = [], []
    while True:
        page = cbor(endpoint, "GetMetricData", request).body
        values += page["MetricDataResults"][0]["Values"]
        statuses.append(page["MetricDataResults"][0]["StatusCode"])
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    assert values == [4.0, 3.0, 2.0, 1.0, 0.0]  # TimestampDescending is the default
    assert statuses == ["PartialData", "PartialData", "Complete"]
    stale = cbor(endpoint, "GetMetricData", request)  # a token is good once
    refused(stale, 400, "InvalidNextToken", "InvalidNextToken")


def test_get_metric_data_refuses_what_cloudwatch_refuses(endpoint):
    window = {"StartTime": ts(now() - timedelta(hours=1)), "EndTime": ts(now())}
    bad_period = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("m", "N", "M", "Sum", period=45)], **window})
    assert "Period" in refused(bad_period, 400, "InvalidParameterValue", "InvalidParameterValueException")
    bad_id = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("Errors", "N", "M", "Sum")], **window})
    assert "Id" in refused(bad_id, 400, "InvalidParameterValue", "InvalidParameterValueException")
    too_many = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query(f"m{i}", "N", "M", "Sum") for i in range(501)], **window})
    refused(too_many, 400, "InvalidParameterValue", "InvalidParameterValueException")
    backwards = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("m", "N", "M", "Sum")],
        "StartTime": window["EndTime"], "EndTime": window["StartTime"]})
    refused(backwards, 400, "ValidationError", "ValidationException")
    high_res = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("m", "N", "M", "Sum", period=20)], **window})
    assert high_res.status == 200


def test_an_old_start_needs_the_coarser_period(endpoint):
    cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Old", "MetricData": [
        {"MetricName": "Depth", "Value": 3.0}]})
    window = {"StartTime": ts(now() - timedelta(days=20)), "EndTime": ts(now() + timedelta(minutes=1))}
    by_minute = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("m", "Evrelay/Old", "Depth", "Maximum", period=60)], **window})
    by_five = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("m", "Evrelay/Old", "Depth", "Maximum", period=300)], **window})
    assert by_minute.body["MetricDataResults"][0]["Values"] == []
    assert by_five.body["MetricDataResults"][0]["Values"] == [3.0]


def test_put_metric_data_refuses_what_cloudwatch_refuses(endpoint):
    reserved = cbor(endpoint, "PutMetricData", {"Namespace": "AWS/Lambda", "MetricData": [
        {"MetricName": "Errors", "Value": 1.0}]})
    refused(reserved, 400, "InvalidParameterValue", "InvalidParameterValueException")
    stale = cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/T", "MetricData": [
        {"MetricName": "Errors", "Value": 1.0, "Timestamp": ts(now() - timedelta(days=15))}]})
    assert "two weeks" in refused(stale, 400, "InvalidParameterValue", "InvalidParameterValueException")
    too_many = cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/T", "MetricData": [
        {"MetricName": "E", "Values": [1.0] * 151}]})
    refused(too_many, 400, "InvalidParameterValue", "InvalidParameterValueException")


def test_a_gzipped_put_and_the_protocol_rules(endpoint):
    # aws-sdk-cloudwatch gzips PutMetricData bodies over 10 KiB (@requestCompression).
    zipped = cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Zip", "MetricData": [
        {"MetricName": "Z", "Value": 1.0}]}, gzipped=True)
    assert zipped.status == 200
    listed = cbor(endpoint, "ListMetrics", {"Namespace": "Evrelay/Zip"})
    assert listed.body["Metrics"] == [{"Namespace": "Evrelay/Zip", "MetricName": "Z", "Dimensions": []}]
    targeted = cbor(endpoint, "ListMetrics", {}, {"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"})
    assert targeted.status == 400  # the spec makes a server refuse X-Amz-Target on rpcv2Cbor


def _alarm(name, **overrides):
    alarm = {
        "AlarmName": name, "Namespace": "Evrelay/Alarms", "MetricName": name, "Statistic": "Maximum",
        "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 1, "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
    }
    alarm.update(overrides)
    return alarm


def _state(endpoint, name):
    found = cbor(endpoint, "DescribeAlarms", {"AlarmNames": [name]}).body["MetricAlarms"]
    return found[0]["StateValue"], found[0]


def test_an_alarm_goes_to_alarm_when_its_metric_breaches(endpoint):
    assert cbor(endpoint, "PutMetricAlarm", _alarm("dlq-depth")).status == 200
    state, alarm = _state(endpoint, "dlq-depth")
    assert state == "OK"  # notBreaching: no data is good
    assert alarm["Threshold"] == 0.0 and alarm["Period"] == 60
    assert isinstance(alarm["StateUpdatedTimestamp"], datetime)
    # One datapoint in each of the last two minutes: with M=1 of N=3 the verdict holds even if
    # a minute boundary passes between the put and the describe.
    t = now()
    cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Alarms", "MetricData": [
        {"MetricName": "dlq-depth", "Value": 12.0, "Timestamp": ts(t - timedelta(seconds=60))},
        {"MetricName": "dlq-depth", "Value": 12.0, "Timestamp": ts(t)},
    ]})
    state, alarm = _state(endpoint, "dlq-depth")
    assert state == "ALARM" and alarm["StateReason"].startswith("Threshold Crossed")
    in_alarm = cbor(endpoint, "DescribeAlarms", {"StateValue": "ALARM", "AlarmNamePrefix": "dlq-"})
    assert [a["AlarmName"] for a in in_alarm.body["MetricAlarms"]] == ["dlq-depth"]


def test_missing_data_and_set_alarm_state(endpoint):
    cbor(endpoint, "PutMetricAlarm", _alarm("quiet", TreatMissingData="missing"))
    assert _state(endpoint, "quiet")[0] == "INSUFFICIENT_DATA"
    cbor(endpoint, "PutMetricAlarm", _alarm("held", TreatMissingData="ignore"))
    assert _state(endpoint, "held")[0] == "INSUFFICIENT_DATA"  # how every new alarm starts
    set_ = cbor(endpoint, "SetAlarmState", {"AlarmName": "held", "StateValue": "ALARM", "StateReason": "drill"})
    assert set_.status == 200
    state, alarm = _state(endpoint, "held")
    assert (state, alarm["StateReason"]) == ("ALARM", "drill")
    missing = cbor(endpoint, "SetAlarmState", {"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"})
    refused(missing, 404, "ResourceNotFound", "ResourceNotFound")
    bad = cbor(endpoint, "PutMetricAlarm", _alarm("bad", Period=45))
    refused(bad, 400, "InvalidParameterValue", "InvalidParameterValueException")
    assert cbor(endpoint, "DeleteAlarms", {"AlarmNames": ["quiet", "held"]}).status == 200
    assert cbor(endpoint, "DescribeAlarms", {"AlarmNames": ["quiet", "held"]}).body["MetricAlarms"] == []


TEMPLATE = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Email:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: email, Endpoint: ops@example.com}
  Inbox:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "${AWS::StackName}-alarm-inbox"}
  Tap:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
  DlqAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub "${AWS::StackName}-dlq-not-empty"
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !Sub "${AWS::StackName}-dlq"}]
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref Topic]
Outputs:
  Name: {Value: !Ref DlqAlarm}
  Arn: {Value: !GetAtt DlqAlarm.Arn}
"""


def client(endpoint, service):
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}),
    )


def test_a_stack_makes_its_alarm_and_the_dlq_metric_drives_it(endpoint):
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="relay", TemplateBody=TEMPLATE, Tags=[{"Key": "evrelay:managed", "Value": "true"}])
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="relay")["Stacks"][0]["Outputs"]}
    assert outputs["Name"] == "relay-dlq-not-empty"
    assert outputs["Arn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:relay-dlq-not-empty"
    state, alarm = _state(endpoint, "relay-dlq-not-empty")
    assert alarm["AlarmActions"][0].startswith("arn:aws:sns:us-east-1:123456789012:")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "relay-dlq"}]
    tags = cbor(endpoint, "ListTagsForResource", {"ResourceARN": outputs["Arn"]}).body["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}.items() >= {
        "evrelay:managed": "true", "aws:cloudformation:stack-name": "relay",
        "aws:cloudformation:logical-id": "DlqAlarm",
    }.items()
    subscriptions = client(endpoint, "sns").list_subscriptions()["Subscriptions"]
    assert sorted(s["Protocol"] for s in subscriptions) == ["email", "sqs"]
    # The sandbox publishes the AWS/SQS metric with boto3 (JSON protocol), as AWS would emit it.
    client(endpoint, "cloudwatch").put_metric_data(Namespace="AWS/SQS", MetricData=[{
        "MetricName": "ApproximateNumberOfMessagesVisible", "Value": 12,
        "Dimensions": [{"Name": "QueueName", "Value": "relay-dlq"}]}])
    assert _state(endpoint, "relay-dlq-not-empty")[0] == "ALARM"
    # The alarm's action: its topic's subscribers get CloudWatch's notification.
    sqs = client(endpoint, "sqs")
    inbox = sqs.get_queue_url(QueueName="relay-alarm-inbox")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=1).get("Messages") or []
    notification = json.loads(json.loads(got[0]["Body"])["Message"])
    assert (notification["AlarmName"], notification["NewStateValue"], notification["OldStateValue"]) == (
        "relay-dlq-not-empty", "ALARM", "OK")
    cfn.delete_stack(StackName="relay")
    assert cbor(endpoint, "DescribeAlarms", {"AlarmNamePrefix": "relay-"}).body["MetricAlarms"] == []


def test_boto3_still_speaks_json_and_meets_the_same_rules(endpoint):
    cw = client(endpoint, "cloudwatch")
    cw.put_metric_data(Namespace="Evrelay/Boto", MetricData=[{"MetricName": "B", "Value": 2}])
    got = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("b", "Evrelay/Boto", "B", "Sum")],
        "StartTime": ts(now() - timedelta(minutes=5)), "EndTime": ts(now() + timedelta(minutes=1))})
    assert got.body["MetricDataResults"][0]["Values"] == [2.0]
    with pytest.raises(ClientError) as e:
        cw.put_metric_alarm(**_alarm("boto-bad", Period=45))
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        cw.put_metric_data(Namespace="Evrelay/Boto", MetricData=[
            {"MetricName": "B", "Value": 2, "Timestamp": now() - timedelta(days=15)}])
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_botocores_own_cbor_client_agrees(endpoint, monkeypatch):
    # A second, independent rpcv2Cbor client: botocore speaks CBOR too when it is preferred.
    import botocore.model

    monkeypatch.setattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS", ("smithy-rpc-v2-cbor", "json", "query"))
    cw = client(endpoint, "cloudwatch")
    assert cw.meta.service_model.protocol == "smithy-rpc-v2-cbor"
    at = now()
    cw.put_metric_data(Namespace="Evrelay/Botocore", MetricData=[
        {"MetricName": "D", "Values": [1.0, 2.0, 3.0, 4.0], "Timestamp": at}])
    got = cw.get_metric_data(
        MetricDataQueries=[query("d", "Evrelay/Botocore", "D", "p50")],
        StartTime=at - timedelta(minutes=5), EndTime=at + timedelta(minutes=1))
    assert got["MetricDataResults"][0]["Values"] == [2.0]
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName="absent", StateValue="OK", StateReason="x")


CONDITIONAL = """
Parameters:
  Alarms: {Type: String, Default: "false"}
Conditions:
  WithAlarms: !Equals [!Ref Alarms, "true"]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Condition: WithAlarms
    Properties:
      AlarmName: !Sub "${AWS::StackName}-relay-errors"
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
"""


def _change_set(cfn, name, kind, alarms):
    cfn.create_change_set(
        StackName="cs-relay", ChangeSetName=name, ChangeSetType=kind, TemplateBody=CONDITIONAL,
        Parameters=[{"ParameterKey": "Alarms", "ParameterValue": alarms}])
    cfn.execute_change_set(StackName="cs-relay", ChangeSetName=name)


def test_change_sets_add_and_remove_a_conditional_alarm(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "create", "CREATE", "false")
    names = lambda: [a["AlarmName"] for a in cbor(endpoint, "DescribeAlarms", {"AlarmNamePrefix": "cs-relay-"}).body["MetricAlarms"]]  # noqa: E731
    assert names() == []
    _change_set(cfn, "on", "UPDATE", "true")
    assert names() == ["cs-relay-relay-errors"]
    _change_set(cfn, "off", "UPDATE", "false")
    assert names() == []
