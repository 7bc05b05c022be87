"""One deadline per invocation: names with several black-holed addresses, a POST that would
not fit, and a response event whose PutEvents never answers.

Every address here is on loopback: a name ending in `.test` is resolved by the test itself
(`socket.getaddrinfo` patched) to loopback ports that never complete a TCP handshake (a
listening socket whose accept queue is full drops every further SYN). Nothing leaves the machine.
"""

import socket
import time

import pytest

from loopback_endpoint import Reply
from relay_harness import API_KEY, make_event

MARGIN = 0.5  # DEADLINE_MARGIN_SECONDS in the tests (conftest)


class BlackHoles:
    """Loopback ports that accept no connection: a connect to one waits until its timeout."""

    def __init__(self, n):
        self.listeners, self.fillers, self.ports = [], [], []
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(0)
            filler = socket.create_connection(s.getsockname(), timeout=1)  # fills the queue
            self.listeners.append(s)
            self.fillers.append(filler)
            self.ports.append(s.getsockname()[1])

    def close(self):
        for s in self.listeners + self.fillers:
            s.close()


class Hanging:
    """A loopback server that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


@pytest.fixture
def resolve(monkeypatch):
    """resolve(name, [(ip, port), …]): `name` resolves to these addresses, in this order."""
    table = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", a) for a in table[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lambda name, addresses: table.__setitem__(name, addresses)


@pytest.fixture
def holes():
    made = []

    def make(n):
        made.append(BlackHoles(n))
        return made[-1]

    yield make
    for h in made:
        h.close()


@pytest.mark.parametrize("n", [3, 8])
def test_a_name_with_black_holed_addresses_costs_one_connect_timeout(load_relay, resolve, holes, n):
    # urllib3 alone would wait n × 1 s; the relay shares one 1 s connect deadline among them.
    resolve("app.test", [("127.0.0.1", p) for p in holes(n).ports])
    relay = load_relay(TARGET_URL="http://app.test/events", CONNECT_TIMEOUT_SECONDS="1", READ_TIMEOUT_SECONDS="1")
    seconds = 4.0
    t0 = time.monotonic()
    msg, log = relay.fail(make_event(1), seconds=seconds)
    took = time.monotonic() - t0

    assert "no response" in msg and "timed out" in msg.lower(), msg
    assert took < 1.5, f"{n} black-holed addresses took {took:.2f} s (one connect deadline is 1 s)"
    assert took < seconds - MARGIN


@pytest.mark.parametrize("n", [3, 8])
def test_the_last_address_still_gets_its_share(load_relay, resolve, holes, endpoint, n):
    resolve("app.test", [("127.0.0.1", p) for p in holes(n - 1).ports] + [("127.0.0.1", endpoint.port)])
    relay = load_relay(TARGET_URL=f"http://app.test:{endpoint.port}/events", CONNECT_TIMEOUT_SECONDS="1")
    _, log = relay.invoke(make_event(2))
    assert log["outcome"] == "delivered" and len(endpoint.requests) == 1


def test_a_post_that_cannot_finish_before_the_deadline_is_not_started(load_relay, endpoint):
    # Connect 1 s + read 2 s do not fit in 2.5 s - 0.5 s margin: nothing is sent, so Lambda's
    # retry cannot duplicate anything.
    relay = load_relay(CONNECT_TIMEOUT_SECONDS="1", READ_TIMEOUT_SECONDS="2")
    msg, log = relay.fail(make_event(3), seconds=2.5)
    assert "not posted" in msg and "deadline" in msg, msg
    assert endpoint.connections == 0 and log["outcome"] == "failed"


def _ends_before(took, seconds):
    assert took < seconds - MARGIN, f"the invocation took {took:.2f} s of its {seconds} s"


@pytest.mark.parametrize("n", [3, 8])
def test_delivered_while_putevents_black_holed_returns_success_before_the_deadline(load_relay, resolve, holes, endpoint, n):
    resolve("events.test", [("127.0.0.1", p) for p in holes(n).ports])
    relay = load_relay(AWS_ENDPOINT_URL_EVENTBRIDGE="http://events.test", AWS_CONNECT_TIMEOUT_SECONDS="2",
                       CONNECT_TIMEOUT_SECONDS="1", READ_TIMEOUT_SECONDS="1",
                       AWS_READ_TIMEOUT_SECONDS="3", AWS_MAX_ATTEMPTS="2")
    seconds = 6.0
    t0 = time.monotonic()
    result, log = relay.invoke(make_event(4, **{"return-response-event": True}), seconds=seconds)
    _ends_before(time.monotonic() - t0, seconds)
    assert result == {"status": 200} and log["outcome"] == "delivered"
    assert log["reason"].startswith("response event not sent"), log
    assert len(endpoint.requests) == 1


def test_delivered_while_putevents_hangs_returns_success_before_the_deadline(load_relay, endpoint):
    hanging = Hanging()
    try:
        # Nominal PutEvents: 2 × (2 + 3) + 6 = 16 s; only ~3.4 s are left after the POST.
        relay = load_relay(AWS_ENDPOINT_URL_EVENTBRIDGE=f"http://127.0.0.1:{hanging.port}",
                           CONNECT_TIMEOUT_SECONDS="1", READ_TIMEOUT_SECONDS="1",
                           AWS_CONNECT_TIMEOUT_SECONDS="2", AWS_READ_TIMEOUT_SECONDS="3", AWS_MAX_ATTEMPTS="2")
        seconds = 4.0
        t0 = time.monotonic()
        result, log = relay.invoke(make_event(5, **{"return-response-event": True}), seconds=seconds)
        _ends_before(time.monotonic() - t0, seconds)
        assert result == {"status": 200} and log["outcome"] == "delivered"
        assert "response event not sent" in log["reason"] and "timeout" in log["reason"].lower(), log
    finally:
        hanging.close()


def test_no_time_left_for_the_response_event_is_logged(load_relay, endpoint):
    # The POST fits (the key is cached) but the endpoint takes 1.8 s of the 2.7 s left: less
    # than a second remains for PutEvents, so it is skipped, and the log line says so.
    relay = load_relay(CONNECT_TIMEOUT_SECONDS="0.5", READ_TIMEOUT_SECONDS="2")
    relay.invoke(make_event(7))
    endpoint.default = Reply(200, {"ok": True}, delay=1.8)
    result, log = relay.invoke(make_event(6, **{"return-response-event": True}), seconds=3.2)
    assert result == {"status": 200}
    assert log["reason"] and log["reason"].startswith("response event not sent"), log
    assert API_KEY not in str(log)
