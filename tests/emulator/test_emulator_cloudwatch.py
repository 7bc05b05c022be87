"""CloudWatch metrics on the strict emulator, spoken as aws-sdk-cloudwatch speaks them (Smithy RPC
v2 CBOR) over real HTTP to the launcher, plus the boto3 (JSON) path the sandbox publishes with."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from cloudwatch_client import alarm_spec, cbor, client, endpoint, minute, now, query, refused, ts  # noqa: F401


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


def test_percentiles_follow_counts_and_the_rules_for_statistic_sets(endpoint):
    at = minute(now()) - timedelta(minutes=3)

    def put(name, **datum):
        cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Pct", "MetricData": [
            {"MetricName": name, "Timestamp": ts(at), **datum}]})

    put("Counted", Values=[1.0, 1000.0], Counts=[99.0, 1.0])
    # A statistic set yields percentiles only when Min == Max (every sample had that value).
    put("Uniform", StatisticValues={"SampleCount": 4.0, "Sum": 20.0, "Minimum": 5.0, "Maximum": 5.0})
    put("Spread", StatisticValues={"SampleCount": 2.0, "Sum": 10.0, "Minimum": 1.0, "Maximum": 9.0})
    put("Negative", Values=[-1.0, 2.0])
    got = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [
            query("c99", "Evrelay/Pct", "Counted", "p99"), query("c100", "Evrelay/Pct", "Counted", "p100"),
            query("u50", "Evrelay/Pct", "Uniform", "p50"), query("s50", "Evrelay/Pct", "Spread", "p50"),
            query("ssum", "Evrelay/Pct", "Spread", "Sum"), query("n50", "Evrelay/Pct", "Negative", "p50"),
        ],
        "StartTime": ts(at - timedelta(minutes=1)), "EndTime": ts(now())})
    values = {r["Id"]: r["Values"] for r in got.body["MetricDataResults"]}
    assert values == {"c99": [1.0], "c100": [1000.0], "u50": [5.0], "s50": [], "ssum": [10.0], "n50": []}


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
    lambda_errors = {"Namespace": "AWS/Lambda", "MetricData": [{"MetricName": "Errors", "Value": 1.0}]}
    reserved = cbor(endpoint, "PutMetricData", lambda_errors)
    refused(reserved, 400, "InvalidParameterValue", "InvalidParameterValueException")
    # A test seeding AWS's own metrics says it plays AWS.
    seeded = cbor(endpoint, "PutMetricData", lambda_errors, {"x-evrelay-emulator-plays-aws": "true"})
    assert seeded.status == 200
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
    garbled = cbor(endpoint, "ListMetrics", {}, gzipped=True, raw=b"not gzip")
    assert garbled.status == 400 and garbled.body["__type"].endswith("#SerializationException")


def test_boto3_still_speaks_json_and_meets_the_same_rules(endpoint):
    cw = client(endpoint, "cloudwatch")
    cw.put_metric_data(Namespace="Evrelay/Boto", MetricData=[{"MetricName": "B", "Value": 2}])
    got = cbor(endpoint, "GetMetricData", {
        "MetricDataQueries": [query("b", "Evrelay/Boto", "B", "Sum")],
        "StartTime": ts(now() - timedelta(minutes=5)), "EndTime": ts(now() + timedelta(minutes=1))})
    assert got.body["MetricDataResults"][0]["Values"] == [2.0]
    with pytest.raises(ClientError) as e:
        cw.put_metric_alarm(**alarm_spec("boto-bad", Period=45))
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
