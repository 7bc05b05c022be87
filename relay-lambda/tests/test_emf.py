"""The relay's metrics: CloudWatch Embedded Metric Format members in its one log line.

Every line every relay test prints is checked against the specification by the harness
(conftest `Relay._contract`, rules in emf_spec.py); these tests pin what each outcome
reports, and that the checker itself catches a broken document. The harness also checks
that no secret appears anywhere in the output, EMF members included.
"""

import json

import pytest

from emf_spec import emf_violations, metrics
from loopback_endpoint import Reply, free_port
from relay_harness import STACK, make_event, sqs_record


def emitted(relay):
    """The metrics of the relay's last line, as CloudWatch would extract them."""
    return metrics({**relay.logs[-1], **relay.emf[-1]})


def test_a_delivered_event_reports_its_latency_and_2xx(load_relay, endpoint):
    relay = load_relay()
    _, log = relay.invoke(make_event(1))
    m = emitted(relay)
    assert m["namespace"] == "evrelay" and m["dimensions"] == [{"Stack": STACK}]
    assert m["Delivered"] == (1, "Count") and m["Failed"] == (0, "Count")
    assert m["Endpoint2xx"] == (1, "Count")
    assert m["DeliveryLatency"] == (log["latency-ms"], "Milliseconds")
    assert not {"Endpoint4xx", "Endpoint5xx", "EndpointNoResponse"} & set(m)


@pytest.mark.parametrize("status,metric", [(503, "Endpoint5xx"), (404, "Endpoint4xx"), (301, "Endpoint3xx")])
def test_a_refusing_endpoint_reports_its_status_class(load_relay, endpoint, status, metric):
    endpoint.default = Reply(status, {"error": "busy"})
    relay = load_relay()
    _, log = relay.fail(make_event(2))
    m = emitted(relay)
    assert m[metric] == (1, "Count") and m["Failed"] == (1, "Count") and m["Delivered"] == (0, "Count")
    assert m["DeliveryLatency"] == (log["latency-ms"], "Milliseconds")


def test_success_false_is_a_2xx_that_failed(load_relay, endpoint):
    endpoint.default = Reply(200, {"success": False})
    relay = load_relay()
    relay.fail(make_event(3))
    m = emitted(relay)
    assert m["Endpoint2xx"] == (1, "Count") and m["Failed"] == (1, "Count")


def test_no_answer_is_counted_apart_without_a_latency(load_relay):
    relay = load_relay(TARGET_URL=f"http://127.0.0.1:{free_port()}/events")
    relay.fail(make_event(4))
    m = emitted(relay)
    assert m["EndpointNoResponse"] == (1, "Count") and m["Failed"] == (1, "Count")
    assert "DeliveryLatency" not in m and not any(k.startswith("Endpoint") and k[-2:] == "xx" for k in m)


def test_an_event_not_posted_is_a_failure_and_nothing_about_the_endpoint(load_relay, endpoint):
    relay = load_relay(CONNECT_TIMEOUT_SECONDS="1", READ_TIMEOUT_SECONDS="2")
    relay.fail(make_event(5), seconds=2.0)  # less than connect + read before the deadline
    assert endpoint.requests == []
    m = emitted(relay)
    assert m["Failed"] == (1, "Count") and not [k for k in m if k.startswith("Endpoint")]


def test_each_record_of_a_batch_has_its_own_metrics(load_relay, endpoint):
    batch = [sqs_record(make_event(6)), sqs_record("not json", message_id="m-bad")]
    relay = load_relay()
    _, logs = relay.invoke_batch(batch)
    good, bad = (metrics({**log, **emf}) for log, emf in zip(logs, relay.emf[-2:]))
    assert good["Delivered"] == (1, "Count") and good["Endpoint2xx"] == (1, "Count")
    assert bad["Failed"] == (1, "Count") and "DeliveryLatency" not in bad


def test_the_contract_fields_are_unchanged(load_relay, endpoint):
    relay = load_relay()
    relay.invoke(make_event(8))
    line = {**relay.logs[-1], **relay.emf[-1]}
    # The README's fields first, as before; the EMF members after them.
    assert list(line)[:6] == ["event-id", "request-id", "status", "latency-ms", "outcome", "reason"]


def test_outside_lambda_the_line_has_no_metrics(load_relay, endpoint):
    relay = load_relay(AWS_LAMBDA_FUNCTION_NAME=None)
    relay.invoke(make_event(9))
    assert relay.emf[-1] == {}


# ---- the checker catches what CloudWatch would refuse ------------------------------------

def good_line(now):
    return {"outcome": "delivered", "Stack": "s", "Delivered": 1, "DeliveryLatency": [3, 4],
            "_aws": {"Timestamp": now, "CloudWatchMetrics": [{"Namespace": "evrelay", "Dimensions": [["Stack"]],
                     "Metrics": [{"Name": "Delivered", "Unit": "Count"}, {"Name": "DeliveryLatency", "Unit": "Milliseconds"}]}]}}


def broken(now, change):
    line = good_line(now)
    change(line)
    return json.dumps(line)


@pytest.mark.parametrize("change,why", [
    (lambda l: l.pop("_aws"), "no _aws"),
    (lambda l: l["_aws"].update(Timestamp=l["_aws"]["Timestamp"] // 1000), "epoch milliseconds"),
    (lambda l: l["_aws"].update(Timestamp="now"), "integer number of milliseconds"),
    (lambda l: l.pop("Delivered"), "Delivered: top-level value None"),
    (lambda l: l.update(Delivered="1"), "Delivered: top-level value '1'"),
    (lambda l: l.update(Delivered=True), "Delivered: top-level value True"),
    (lambda l: l.update(DeliveryLatency=list(range(101))), "DeliveryLatency: top-level value"),
    (lambda l: l.update(Stack=7), "dimension 'Stack'"),
    (lambda l: l.pop("Stack"), "dimension 'Stack'"),
    (lambda l: l["_aws"]["CloudWatchMetrics"][0].update(Dimensions=[[f"d{i}" for i in range(31)]]), "more than 30"),
    (lambda l: l["_aws"]["CloudWatchMetrics"][0]["Metrics"].extend({"Name": "Delivered"} for _ in range(99)), "more than 100"),
    (lambda l: l["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(Unit="ms"), "not a CloudWatch unit"),
    (lambda l: l["_aws"]["CloudWatchMetrics"][0].update(Namespace="AWS/Lambda"), "Namespace"),
    (lambda l: l["_aws"]["CloudWatchMetrics"][0].update(Extra=1), "extra member"),
])
def test_the_checker_refuses_a_broken_document(change, why):
    now = 1_800_000_000_000
    assert emf_violations(json.dumps(good_line(now)), now_ms=now) == []
    problems = emf_violations(broken(now, change), now_ms=now)
    assert any(why in p for p in problems), problems


def test_the_checker_refuses_text_around_the_object():
    now = 1_800_000_000_000
    assert emf_violations("INFO " + json.dumps(good_line(now)), now_ms=now)
