"""Fixtures for the relay tests (the shared pieces live in relay_harness.py).

Each test gets a fresh module of the *inlined* relay text (the relay caches its secret,
clients and connection pool at module level), imported after the environment is set,
inside moto's in-process `mock_aws`. No real AWS endpoint can be reached: botocore's HTTP
send is replaced by a guard that only lets loopback through (moto's in-process mock answers
before that point).
"""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path
from urllib.parse import urlparse

import boto3
import botocore.httpsession
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from emf_spec import emf_violations, split  # noqa: E402
from loopback_endpoint import Endpoint  # noqa: E402
from relay_harness import (  # noqa: E402
    API_KEY, BUS, INLINED, INLINED_FROM, NO_RETRY, RESPONSES, SECRET_ID, STACK, Context, fresh_module,
)


def pytest_report_header(config):
    return f"relay code under test: {INLINED_FROM} ({len(INLINED)} characters)"


# --- no real AWS -------------------------------------------------------------------------

_real_send = botocore.httpsession.URLLib3Session.send
aws_sends: list[str] = []


def _loopback(url):
    # `*.test` (RFC 6761, never in public DNS) is what tests resolve to loopback addresses
    # themselves (test_deadline.py); unresolved, it reaches nothing.
    host = urlparse(url).hostname or ""
    return host in ("127.0.0.1", "localhost") or host.endswith(".test")


def _guarded_send(self, request):
    aws_sends.append(request.url)
    if not _loopback(request.url):
        raise RuntimeError(f"test tried to reach a real AWS endpoint: {request.url}")
    return _real_send(self, request)


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch):
    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", _guarded_send)
    aws_sends.clear()
    yield aws_sends
    # The relay turns any exception into RelayError: check here too, so a test expecting a
    # failure cannot hide an attempt to reach AWS.
    real = [u for u in aws_sends if not _loopback(u)]
    assert not real, f"tried to reach real AWS: {real}"


# --- AWS (moto) --------------------------------------------------------------------------

@pytest.fixture
def aws():
    from moto import mock_aws

    with mock_aws():
        sm = boto3.client("secretsmanager", config=NO_RETRY)
        sm.create_secret(Name=SECRET_ID, SecretString=API_KEY)
        events = boto3.client("events", config=NO_RETRY)
        events.create_event_bus(Name=BUS)
        yield types.SimpleNamespace(sm=sm, events=events, sqs=boto3.client("sqs", config=NO_RETRY))


@pytest.fixture
def responses(aws):
    """The outbound rule → responses queue; `.get()` returns the response events delivered."""
    q = aws.sqs.create_queue(QueueName=RESPONSES)["QueueUrl"]
    arn = aws.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.events.put_rule(Name=f"{STACK}-outbound", EventBusName=BUS, EventPattern=json.dumps(
        {"source": ["evrelay.relay"], "detail-type": ["outbound-event-sent"]}))
    aws.events.put_targets(Rule=f"{STACK}-outbound", EventBusName=BUS, Targets=[{"Id": "responses", "Arn": arn}])

    def get():
        msgs = aws.sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        return [json.loads(m["Body"]) for m in msgs]

    return types.SimpleNamespace(get=get)


# --- the endpoint ------------------------------------------------------------------------

@pytest.fixture
def endpoint():
    with Endpoint(expected_key=API_KEY) as ep:
        yield ep


# --- the relay ---------------------------------------------------------------------------

class Relay:
    """A fresh copy of the inlined relay (one 'container'), plus bookkeeping checks."""

    def __init__(self, module, capsys, secrets):
        self.module = module
        self.capsys = capsys
        self.secrets = secrets  # every value that must never be printed or raised
        self.logs: list[dict] = []
        self.emf: list[dict] = []  # each line's EMF members (metrics, dimension, _aws)
        self.errors: list[BaseException] = []

    def invoke(self, event, seconds=60.0):
        """Run the handler with `seconds` before Lambda's deadline; return (result, log line).
        Raises what the handler raises."""
        try:
            result = self.module.handler(event, Context(seconds))
        except Exception as e:
            self.errors.append(e)
            self._log_line()
            raise
        return result, self._log_line()

    def fail(self, event, seconds=60.0):
        """Run the handler expecting RelayError; return (message, log line)."""
        with pytest.raises(self.module.RelayError) as info:
            self.invoke(event, seconds)
        return str(info.value), self.logs[-1]

    def invoke_batch(self, records, seconds=60.0):
        """Buffered delivery: run the handler on an SQS batch; return (result, one log line per
        record reached). The handler must not raise (Lambda would retry the whole batch)."""
        result = self.module.handler({"Records": records}, Context(seconds))
        out, err = self.capsys.readouterr()
        self._check_clean(out + err)
        logs = [self._contract(line) for line in out.splitlines()]
        for log in logs:
            assert set(log) <= {"message-id", "event-id", "request-id", "status", "latency-ms", "outcome", "reason"}
            assert log["outcome"] in ("delivered", "failed") and log["message-id"]
        self.logs.extend(logs)
        return result, logs

    def _log_line(self) -> dict:
        out, err = self.capsys.readouterr()
        self._check_clean(out + err)
        lines = out.splitlines()
        assert len(lines) == 1, f"expected exactly one log line per invocation, got {lines!r}"
        log = self._contract(lines[0])
        assert set(log) == {"event-id", "request-id", "status", "latency-ms", "outcome", "reason"}
        assert log["outcome"] in ("delivered", "failed")
        assert isinstance(log["latency-ms"], int)
        self.logs.append(log)
        return log

    def _contract(self, line: str) -> dict:
        """The line's contract fields; its EMF members, checked against the specification
        whenever the relay runs as a function (AWS_LAMBDA_FUNCTION_NAME set), kept in .emf."""
        log, emf = split(json.loads(line))
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            assert emf_violations(line) == [], f"not a valid EMF document: {line}"
        self.emf.append(emf)
        return log

    def _check_clean(self, text):
        for s in self.secrets:
            assert s not in text, "a secret was printed"

    def finish(self):
        out, err = self.capsys.readouterr()
        self._check_clean(out + err)
        for e in self.errors:
            for s in self.secrets:
                assert s not in str(e) and s not in repr(e.args), "a secret leaked into an exception"
        self.module.HTTP.clear()  # close the pooled connection


@pytest.fixture
def load_relay(monkeypatch, capsys, aws, endpoint):
    """load_relay(**env) → Relay. Default env points at `endpoint` and the moto resources."""
    loaded: list[Relay] = []

    def load(secrets=(API_KEY,), **env):
        # AWS_LAMBDA_FUNCTION_NAME: Lambda sets it; the relay's metrics are named by it.
        base = {"TARGET_URL": endpoint.url, "SECRET_ID": SECRET_ID, "EVENT_BUS_NAME": BUS,
                "DEADLINE_MARGIN_SECONDS": "0.5", "AWS_LAMBDA_FUNCTION_NAME": f"{STACK}-relay"}
        for k, v in {**base, **env}.items():
            if v is None:
                monkeypatch.delenv(k, raising=False)
            else:
                monkeypatch.setenv(k, str(v))
        relay = Relay(fresh_module(), capsys, list(secrets))
        loaded.append(relay)
        return relay

    yield load
    for relay in loaded:
        relay.finish()


@pytest.fixture
def boto_calls(monkeypatch):
    """Counts boto3.client() creations per service and API calls per operation."""
    calls = {"clients": {}, "ops": {}}
    real = boto3.client

    def counting_client(name, *a, **kw):
        calls["clients"][name] = calls["clients"].get(name, 0) + 1
        client = real(name, *a, **kw)

        def count(model, **_):
            calls["ops"][model.name] = calls["ops"].get(model.name, 0) + 1

        client.meta.events.register("before-call.*.*", count)
        return client

    monkeypatch.setattr(boto3, "client", counting_client)
    return calls
