"""The idempotency key every POST carries, and a response event cut to fit PutEvents."""

import json

from loopback_endpoint import Reply
from relay_harness import API_KEY, make_event

# PutEvents' entry limit: Source + DetailType + Detail under 256 KB (EventBridge User Guide,
# "Calculating PutEvents event entry size").
ENTRY_LIMIT = 256 * 1024


def test_every_post_carries_the_eventbridge_id_as_idempotency_key(load_relay, endpoint):
    relay = load_relay()
    relay.invoke(make_event(1))
    relay.invoke(make_event(2))
    assert [r.headers["idempotency-key"] for r in endpoint.requests] == ["evt-0001", "evt-0002"]


def test_a_redriven_event_keeps_its_original_key(load_relay, endpoint):
    # `evrelay dlq redrive` re-sends with a new EventBridge id and the first one in the detail.
    redriven = make_event(3, **{"idempotency-key": "evt-0001"})
    load_relay().invoke(redriven)
    assert endpoint.requests[0].headers["idempotency-key"] == "evt-0001"


def test_a_key_that_is_not_a_string_is_ignored(load_relay, endpoint):
    load_relay().invoke(make_event(4, **{"idempotency-key": {"no": 1}}))
    assert endpoint.requests[0].headers["idempotency-key"] == "evt-0004"


def test_the_retried_post_after_a_rotated_key_carries_the_same_key(load_relay, aws, endpoint):
    new_key = "k3y-R0tated-0009"
    relay = load_relay(secrets=(API_KEY, new_key))
    relay.invoke(make_event(5))
    aws.sm.put_secret_value(SecretId="relay-test-api-key", SecretString=new_key)
    endpoint.expected_key = new_key
    relay.invoke(make_event(6))
    assert [r.headers["idempotency-key"] for r in endpoint.requests] == ["evt-0005", "evt-0006", "evt-0006"]


def test_the_header_name_comes_from_the_environment(load_relay, endpoint):
    load_relay(IDEMPOTENCY_HEADER_NAME="X-Request-Key").invoke(make_event(7))
    headers = endpoint.requests[0].headers
    assert headers["x-request-key"] == "evt-0007" and "idempotency-key" not in headers


def test_a_1_mb_answer_is_cut_to_fit_putevents(load_relay, endpoint, responses):
    body = {"rows": ["x" * 1000] * 1000, "echo": API_KEY}  # ~1 MB of JSON, the key inside
    endpoint.default = Reply(200, body)
    relay = load_relay()
    _, log = relay.invoke(make_event(8, **{"return-response-event": True}))

    assert log["outcome"] == "delivered" and log["reason"] is None, log
    [msg] = responses.get()
    detail = msg["detail"]
    assert detail["truncated"] is True and detail["status"] == 200
    assert isinstance(detail["response"], str) and detail["response"].startswith('{"rows": ["xxx')
    entry = len(msg["source"]) + len(msg["detail-type"]) + len(json.dumps(detail))
    assert ENTRY_LIMIT - 4096 < entry < ENTRY_LIMIT, entry  # cut to fit, not to nothing


def test_a_cut_never_leaves_part_of_the_key(load_relay, endpoint, responses):
    relay = load_relay()
    room = relay.module.MAX_ENTRY_BYTES
    for n in range(room - 200, room - 100, 7):
        endpoint.default = Reply(200, "y" * n + API_KEY)
        relay.invoke(make_event(n, **{"return-response-event": True}))
    chunks = {API_KEY[i:i + 6] for i in range(len(API_KEY) - 5)}
    for msg in responses.get():
        assert not any(c in json.dumps(msg) for c in chunks)


def test_non_ascii_answers_are_cut_by_their_escaped_size(load_relay, endpoint, responses):
    endpoint.default = Reply(200, "é\"" * 200_000)  # each character escapes to several bytes
    load_relay().invoke(make_event(9, **{"return-response-event": True}))
    [msg] = responses.get()
    assert msg["detail"]["truncated"] is True
    assert len(json.dumps(msg["detail"])) < ENTRY_LIMIT


def test_a_small_answer_is_not_marked(load_relay, endpoint, responses):
    load_relay().invoke(make_event(10, **{"return-response-event": True}))
    [msg] = responses.get()
    assert "truncated" not in msg["detail"]
