"""The relay's behaviour against moto (in process) and a real HTTP endpoint on loopback.

Every invocation goes through `Relay.invoke` (conftest), which also checks: exactly one JSON
log line per invocation, in the README's shape, and no secret in any output or exception.
"""

import json
import re
import time

import pytest

from loopback_endpoint import Endpoint, Reply, free_port
from relay_harness import API_KEY, BUS, SECRET_ID, make_event

ERROR = re.compile(r"^event (?P<id>\S+): (?P<status>\d{3}|no response): (?P<reason>.+)$")


def test_success_posts_the_whole_event(load_relay, endpoint, responses):
    relay = load_relay()
    event = make_event(1, amount=42)
    _, log = relay.invoke(event)

    [req] = endpoint.requests
    assert req.method == "POST" and req.path == "/events"
    assert req.json() == event
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"].startswith("evrelay-relay/")
    assert req.headers["api-key"] == API_KEY
    assert log == {"event-id": "order-1", "request-id": "evt-0001", "status": 200,
                   "latency-ms": log["latency-ms"], "outcome": "delivered", "reason": None}
    assert responses.get() == []  # no return-response-event flag → no response event


def test_response_event_on_success(load_relay, endpoint, responses):
    endpoint.default = Reply(200, {"ok": True, "order": 7})
    relay = load_relay()
    relay.invoke(make_event(2, **{"return-response-event": True}))

    [msg] = responses.get()
    assert msg["source"] == "evrelay.relay"
    assert msg["detail-type"] == "outbound-event-sent"
    detail = msg["detail"]
    assert detail == {"request-id": "evt-0002", "event-id": "order-2", "status": 200,
                      "response": {"ok": True, "order": 7}, "latency-ms": detail["latency-ms"]}
    assert isinstance(detail["latency-ms"], int) and detail["latency-ms"] >= 0


def test_response_source_from_env_and_missing_event_id(load_relay, aws, endpoint):
    q = aws.sqs.create_queue(QueueName="custom")["QueueUrl"]
    arn = aws.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.events.put_rule(Name="custom", EventBusName=BUS, EventPattern=json.dumps({"source": ["my.relay"]}))
    aws.events.put_targets(Rule="custom", EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn}])
    relay = load_relay(RESPONSE_SOURCE="my.relay")
    event = make_event(3, **{"return-response-event": True})
    del event["detail"]["event-id"]
    _, log = relay.invoke(event)

    assert log["event-id"] is None
    [m] = aws.sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(m["Body"])["detail"]["event-id"] is None


def test_non_json_body_is_returned_as_text(load_relay, endpoint, responses):
    endpoint.default = Reply(200, "accepted, thanks")
    relay = load_relay()
    relay.invoke(make_event(4, **{"return-response-event": True}))
    [msg] = responses.get()
    assert msg["detail"]["response"] == "accepted, thanks"


@pytest.mark.parametrize("flag", [False, "true", 1, None])
def test_response_event_only_when_flag_is_true(load_relay, endpoint, responses, flag):
    relay = load_relay()
    relay.invoke(make_event(5, **({} if flag is None else {"return-response-event": flag})))
    assert len(endpoint.requests) == 1
    assert responses.get() == []


def test_success_false_is_a_failure(load_relay, endpoint, responses):
    endpoint.default = Reply(200, {"success": False, "error": "order exists"})
    relay = load_relay()
    msg, log = relay.fail(make_event(6, **{"return-response-event": True}))

    m = ERROR.match(msg)
    assert m and m["id"] == "evt-0006" and m["status"] == "200", msg
    assert "success false" in m["reason"] and "order exists" in m["reason"]
    assert log["outcome"] == "failed" and log["status"] == 200 and log["reason"]
    assert responses.get() == []


def test_http_500_is_a_failure(load_relay, endpoint, responses):
    endpoint.default = Reply(500, "database is down")
    relay = load_relay()
    msg, log = relay.fail(make_event(7, **{"return-response-event": True}))

    m = ERROR.match(msg)
    assert m and m["status"] == "500" and "database is down" in m["reason"], msg
    assert log["outcome"] == "failed" and log["status"] == 500
    assert len(endpoint.requests) == 1  # no retry inside the relay: Lambda retries
    assert responses.get() == []


def test_redirect_is_not_followed(load_relay, endpoint):
    with Endpoint() as elsewhere:
        endpoint.default = Reply(302, "", headers={"location": elsewhere.url})
        msg, _ = load_relay().fail(make_event(8))
        assert ERROR.match(msg)["status"] == "302"
        assert elsewhere.requests == []  # the key never follows a redirect


def test_read_timeout(load_relay, endpoint):
    endpoint.default = Reply(200, {"ok": True}, delay=1.0)
    relay = load_relay(READ_TIMEOUT_SECONDS="0.2")
    t0 = time.monotonic()
    msg, log = relay.fail(make_event(9))

    assert time.monotonic() - t0 < 0.9
    m = ERROR.match(msg)
    assert m and m["status"] == "no response" and "timed out" in m["reason"].lower(), msg
    assert log["status"] is None and log["outcome"] == "failed"


def test_connection_refused(load_relay):
    relay = load_relay(TARGET_URL=f"http://127.0.0.1:{free_port()}/events", CONNECT_TIMEOUT_SECONDS="1")
    msg, log = relay.fail(make_event(10))
    m = ERROR.match(msg)
    assert m and m["status"] == "no response" and "refused" in m["reason"].lower(), msg
    assert log["status"] is None


def test_target_url_in_the_event_is_ignored(load_relay, endpoint):
    with Endpoint() as attacker:
        event = make_event(11, url=attacker.url, **{"target-url": attacker.url})
        event["url"] = attacker.url
        load_relay().invoke(event)
        assert attacker.requests == [] and attacker.connections == 0
        assert len(endpoint.requests) == 1


def test_auth_header_name_from_env(load_relay, endpoint):
    endpoint.auth_header = "x-api-key"
    load_relay(AUTH_HEADER_NAME="X-Api-Key").invoke(make_event(12))
    assert endpoint.requests[0].headers["x-api-key"] == API_KEY
    assert "api-key" not in endpoint.requests[0].headers


def test_one_connection_and_one_secret_read_across_invocations(load_relay, endpoint, responses, boto_calls):
    relay = load_relay()
    for i in range(40):
        relay.invoke(make_event(i, **{"return-response-event": i % 2 == 0}))

    assert len(endpoint.requests) == 40
    assert endpoint.connections == 1  # keep-alive across warm invocations
    assert boto_calls["ops"]["GetSecretValue"] == 1
    assert boto_calls["ops"]["PutEvents"] == 20
    assert boto_calls["clients"] == {"secretsmanager": 1, "events": 1}
    assert len(responses.get()) == 10  # (max per receive)


def test_secret_is_cached_for_ttl(load_relay, endpoint, boto_calls):
    relay = load_relay(SECRET_TTL_SECONDS="0.3")
    relay.invoke(make_event(1))
    relay.invoke(make_event(2))
    assert boto_calls["ops"]["GetSecretValue"] == 1
    time.sleep(0.35)
    relay.invoke(make_event(3))
    assert boto_calls["ops"]["GetSecretValue"] == 2


def test_rotated_secret_is_reread_once_and_request_retried(load_relay, aws, endpoint, boto_calls):
    new_key = "k3y-R0tated-0002"
    relay = load_relay(secrets=(API_KEY, new_key))
    relay.invoke(make_event(1))
    assert boto_calls["ops"]["GetSecretValue"] == 1

    aws.sm.put_secret_value(SecretId=SECRET_ID, SecretString=new_key)
    endpoint.expected_key = new_key
    _, log = relay.invoke(make_event(2))  # 401 with the cached key → re-read → retry → 200

    assert log["outcome"] == "delivered" and log["status"] == 200
    assert boto_calls["ops"]["GetSecretValue"] == 2  # refreshed exactly once
    assert [r.headers["api-key"] for r in endpoint.requests] == [API_KEY, API_KEY, new_key]

    relay.invoke(make_event(3))  # the refreshed key is cached
    assert boto_calls["ops"]["GetSecretValue"] == 2
    assert endpoint.requests[-1].headers["api-key"] == new_key


def test_403_also_triggers_one_reread_and_an_unchanged_key_is_not_sent_again(load_relay, endpoint, boto_calls):
    endpoint.script = [Reply(403, {"message": "forbidden"})]
    msg, log = load_relay().fail(make_event(1))
    assert ERROR.match(msg)["status"] == "403" and log["status"] == 403
    # Re-read once; the key is the same, so a second POST could only be a duplicate.
    assert boto_calls["ops"]["GetSecretValue"] == 2 and len(endpoint.requests) == 1


def test_wrong_secret_fails_after_one_reread_without_leaking_it(load_relay, endpoint, boto_calls):
    # The endpoint echoes the key it got in its 401 body: the relay must not repeat it.
    endpoint.expected_key = "something-else"
    relay = load_relay()
    msg, log = relay.fail(make_event(13))

    m = ERROR.match(msg)
    assert m and m["status"] == "401", msg
    assert "***" in msg and API_KEY not in msg
    assert boto_calls["ops"]["GetSecretValue"] == 2 and len(endpoint.requests) == 1
    assert log["status"] == 401 and API_KEY not in json.dumps(log)


def test_secret_echoed_in_500_and_success_false_bodies_is_masked(load_relay, endpoint):
    relay = load_relay()
    endpoint.script = [Reply(500, f"bad key {API_KEY}"), Reply(200, {"success": False, "key": API_KEY})]
    for i in (1, 2):
        msg, log = relay.fail(make_event(i))
        assert API_KEY not in msg and API_KEY not in json.dumps(log)


def test_no_part_of_the_secret_survives_truncation(load_relay, endpoint):
    relay = load_relay()
    chunks = {API_KEY[i:i + 6] for i in range(len(API_KEY) - 5)}
    for n in range(120, 170, 4):  # the key straddles the reason's length cut somewhere here
        endpoint.script = [Reply(500, "x" * n + API_KEY)]
        msg, log = relay.fail(make_event(n))
        assert not any(c in msg or c in log["reason"] for c in chunks), msg


def test_secret_echoed_in_a_response_is_not_published(load_relay, endpoint, responses):
    endpoint.default = Reply(200, {"ok": True, "you-sent": API_KEY})
    load_relay().invoke(make_event(1, **{"return-response-event": True}))
    [msg] = responses.get()
    assert msg["detail"]["response"] == {"ok": True, "you-sent": "***"}


def test_secret_whitespace_is_stripped(load_relay, aws, endpoint):
    aws.sm.put_secret_value(SecretId=SECRET_ID, SecretString=API_KEY + "\n")
    load_relay().invoke(make_event(1))
    assert endpoint.requests[0].headers["api-key"] == API_KEY


def test_missing_secret_fails_without_calling_the_endpoint(load_relay, endpoint):
    relay = load_relay(SECRET_ID="no-such-secret")
    msg, log = relay.fail(make_event(14))
    m = ERROR.match(msg)
    assert m and m["status"] == "no response" and "ResourceNotFoundException" in m["reason"], msg
    assert endpoint.connections == 0


def test_failed_response_event_is_logged_not_raised(load_relay, endpoint):
    # Raising would make Lambda deliver the event to the endpoint again.
    relay = load_relay(EVENT_BUS_NAME="no-such-bus")
    _, log = relay.invoke(make_event(15, **{"return-response-event": True}))
    assert log["outcome"] == "delivered" and log["status"] == 200
    assert log["reason"].startswith("response event not sent")
    assert len(endpoint.requests) == 1


def test_aws_endpoint_url_is_respected(load_relay, endpoint, no_real_aws):
    # With AWS_ENDPOINT_URL set (the sandbox), every AWS call goes there: here to a closed
    # loopback port, so Secrets Manager is unreachable and the relay fails cleanly.
    url = f"http://127.0.0.1:{free_port()}"
    relay = load_relay(AWS_ENDPOINT_URL=url)
    msg, _ = relay.fail(make_event(16))
    assert ERROR.match(msg)["status"] == "no response"
    assert no_real_aws and all(u.startswith(url) for u in no_real_aws)
    assert endpoint.connections == 0
