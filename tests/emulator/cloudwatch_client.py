"""Talking to the strict emulator's CloudWatch the way aws-sdk-cloudwatch does (Smithy RPC v2
CBOR over HTTP), for tests/emulator/test_emulator_cloudwatch*.py. The emulator here evaluates
alarms (EVRELAY_EMULATOR_EVALUATE_ALARMS=1)."""

import gzip
import urllib.error
import urllib.request
from datetime import datetime, timezone

import boto3
import cbor2
import pytest
from botocore.config import Config

from launch import emulator


@pytest.fixture(scope="module")
def endpoint():
    with emulator(EVRELAY_EMULATOR_EVALUATE_ALARMS="1") as url:
        yield url


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.raw = status, headers, body
        self.body = cbor2.loads(body) if body else None


def cbor(endpoint, operation, params, extra_headers=None, gzipped=False, raw=None):
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
    if raw is not None:  # a body no SDK would send
        body = raw
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


def client(endpoint, service):
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}),
    )


def alarm_spec(name, **overrides):
    alarm = {
        "AlarmName": name, "Namespace": "Evrelay/Alarms", "MetricName": name, "Statistic": "Maximum",
        "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 1, "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
    }
    alarm.update(overrides)
    return alarm


def alarm_state(endpoint, name):
    found = cbor(endpoint, "DescribeAlarms", {"AlarmNames": [name]}).body["MetricAlarms"]
    return found[0]["StateValue"], found[0]
