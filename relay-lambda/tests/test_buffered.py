"""Buffered delivery: the relay fed an SQS batch by the event source mapping, each record's body
the EventBridge event. Each record is POSTed in turn under the invocation's one deadline; the
handler answers Lambda's partial batch response with exactly the records not delivered."""

from loopback_endpoint import Reply
from relay_harness import make_event, sqs_record


def test_only_the_failed_record_goes_back_to_the_buffer(load_relay, endpoint):
    endpoint.script = [Reply(200), Reply(503, "busy"), Reply(200)]
    batch = [sqs_record(make_event(i)) for i in (1, 2, 3)]
    result, logs = load_relay().invoke_batch(batch)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-evt-0002"}]}
    # Each POST is the EventBridge event itself, keyed by its own id.
    assert [r.json()["id"] for r in endpoint.requests] == ["evt-0001", "evt-0002", "evt-0003"]
    assert [r.headers["idempotency-key"] for r in endpoint.requests] == ["evt-0001", "evt-0002", "evt-0003"]
    assert [(log["message-id"], log["outcome"]) for log in logs] == [
        ("msg-evt-0001", "delivered"), ("msg-evt-0002", "failed"), ("msg-evt-0003", "delivered")]
    assert logs[1]["status"] == 503 and logs[1]["request-id"] == "evt-0002"


def test_records_not_reached_before_the_deadline_go_back_unposted(load_relay, endpoint):
    # A POST may take 3 + 2 s, the key read needs 1 s more: 6.1 s of network time covers the
    # first record (its POST takes 1.5 s), and then less than 5 s is left for the next.
    endpoint.script = [Reply(200, delay=1.5)]
    batch = [sqs_record(make_event(i)) for i in (1, 2, 3)]
    result, logs = load_relay(READ_TIMEOUT_SECONDS="2").invoke_batch(batch, seconds=6.6)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-evt-0002"}, {"itemIdentifier": "msg-evt-0003"}]}
    assert len(endpoint.requests) == 1
    assert [log["outcome"] for log in logs] == ["delivered", "failed", "failed"]
    assert logs[1]["reason"].startswith("not posted")


def test_a_batch_never_raises_even_when_the_key_cannot_be_read(load_relay, endpoint):
    batch = [sqs_record(make_event(i)) for i in (1, 2)]
    result, logs = load_relay(SECRET_ID="no-such-secret").invoke_batch(batch)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-evt-0001"}, {"itemIdentifier": "msg-evt-0002"}]}
    assert endpoint.requests == []
    assert all("ResourceNotFound" in log["reason"] for log in logs)


def test_a_body_that_is_not_an_event_fails_alone(load_relay, endpoint):
    batch = [sqs_record("not json", message_id="bad"), sqs_record(make_event(2))]
    result, logs = load_relay().invoke_batch(batch)
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert [r.json()["id"] for r in endpoint.requests] == ["evt-0002"]
    assert logs[0]["message-id"] == "bad" and logs[0]["reason"].startswith("body is not an event")


def test_a_redriven_event_in_a_batch_keeps_its_original_key(load_relay, endpoint):
    redriven = make_event(3, **{"idempotency-key": "evt-0001"})
    load_relay().invoke_batch([sqs_record(redriven)])
    assert endpoint.requests[0].headers["idempotency-key"] == "evt-0001"


def test_response_events_work_in_buffered_mode(load_relay, endpoint, responses):
    endpoint.default = Reply(200, {"order": "accepted"})
    event = make_event(4, **{"return-response-event": True})
    result, logs = load_relay().invoke_batch([sqs_record(event)])
    assert result == {"batchItemFailures": []}
    [msg] = responses.get()
    assert msg["detail"]["event-id"] == "order-4" and msg["detail"]["request-id"] == "evt-0004"
    assert msg["detail"]["response"] == {"order": "accepted"}


def test_an_empty_batch_reports_no_failure(load_relay, endpoint):
    assert load_relay().invoke_batch([]) == ({"batchItemFailures": []}, [])
