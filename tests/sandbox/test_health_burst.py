"""A burst in the sandbox: a buffered relay (max concurrency 2) takes more events than a slow
app lets it drain in a minute, and the real `evrelay status` names the backlog in its verdict
("degraded: buffer N waiting, oldest X", src/model/health/verdict.rs: a backlog is named once
its oldest message waited over a minute) with sparklines, and `--output json`'s `health`
carries the same numbers as the sandbox published. The buffer's oldest-message age is dated
from what the sandbox's event source mapping received (metrics.py, SentTimestamp), never by
receiving a message just to date it.

    .venv/bin/python -m pytest tests/sandbox/test_health_burst.py -q     # ~2 min
"""

from __future__ import annotations

import calendar
import json
import re
import time
import uuid

import metrics
from lambda_service import LambdaService
from test_health_verdicts import app, destroy, evrelay, own_moto, signal  # noqa: F401 - fixtures
from test_sandbox import wait_for

BURST = 40
# Each request: 40 events at 2 at a time take 120 s, so when the oldest has waited a minute
# about half are still waiting, and the backlog outlives status's two reads by a minute even on
# a loaded machine (at 4 s it had 20 s to spare, and CI once read it after it had drained).
# Below the relay's 10 s read timeout, so no request is retried.
APP_SECONDS = 6.0
SLOW_AGE_S = 60  # verdict.rs SLOW_AGE_MS: a backlog older than this is named


def deploy_buffered(moto, receiver, stack, tmp_path):
    evrelay(moto, "--stack", stack, "deploy", "--cluster", "events", "--url", receiver.url, "--secret-stdin", "--yes",
            "--delivery", "buffered", "--max-concurrency", "2", stdin=uuid.uuid4().hex, config_dir=tmp_path)


def newest_minute(samples: list[dict], key: str):
    """What CloudWatch's Maximum over the newest one-minute period holds: the largest value the
    sandbox published in the minute of its last sample."""
    minute = int(samples[-1]["at"]) // 60
    return max(s[key] for s in samples if int(s["at"]) // 60 == minute and s[key] is not None)


def per_minute(samples: list[dict], key: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for s in samples:
        if s[key] is not None:
            t = int(s["at"]) // 60 * 60
            out[t] = max(out.get(t, s[key]), s[key])
    return out


def epoch(rfc3339: str) -> int:
    return calendar.timegm(time.strptime(rfc3339[:19], "%Y-%m-%dT%H:%M:%S"))


def test_a_burst_the_relay_cannot_drain_in_a_minute_reads_as_a_backlog(own_moto, app, evrelay_template, tmp_path):
    moto, receiver, stack = own_moto, app, f"hb{uuid.uuid4().hex[:6]}"
    buffer = f"{stack}-buffer"
    deploy_buffered(moto, receiver, stack, tmp_path)
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok", "delay_seconds": APP_SECONDS})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path / "fn"))
    try:
        svc.hook(stack)
        sampler = svc.hooked[stack].runner.queues

        # The operator sends a burst: the mapping takes 2 at a time, the rest waits in the buffer.
        sent = json.loads(evrelay(moto, "--stack", stack, "--output", "json", "send", "--count", str(BURST)).stdout)
        assert sent["summary"]["sent"] == BURST and sent["summary"]["failed"] == 0, sent["summary"]

        def old_backlog():
            s = sampler.sample()[buffer]
            return s if s["visible"] > 0 and (s["age"] or 0) > SLOW_AGE_S else None
        wait_for(old_backlog, timeout=300, step=2, what="a backlog whose oldest message waited over a minute")
        # Hold the numbers still while status reads them twice: no sample but the last one.
        sampler.stop(wait=True)
        sampler.sample()
        metrics.publisher(moto.endpoint).flush()
        samples = [s for s in sampler.samples if s["queue"] == buffer]
        waiting, oldest = newest_minute(samples, "visible"), newest_minute(samples, "age")
        assert 0 < waiting <= BURST and oldest > SLOW_AGE_S, samples[-3:]

        text = evrelay(moto, "--stack", stack, "status").stdout
        health = json.loads(evrelay(moto, "--stack", stack, "--output", "json", "status").stdout)["health"]

        # The verdict names the backlog, in words and numbers the sandbox published.
        line = health["verdict"]["line"]
        assert health["verdict"]["state"] == "degraded", health["verdict"]
        assert health["verdict"]["worst"] == "buffer_oldest_age", health["verdict"]
        m = re.fullmatch(r"degraded: buffer (\d+) waiting, oldest (\d+) (s|min)", line)
        assert m, line
        assert int(m[1]) == waiting, (line, samples[-3:])
        secs = round(oldest)
        assert m.group(2, 3) == ((str(secs), "s") if secs < 120 else (str(secs // 60), "min")), (line, oldest)
        assert f"degraded: buffer {waiting} waiting" in text and line in text, text

        # JSON carries the same numbers: each minute's largest depth and age, as published.
        depth, age = signal(health, "buffer_messages"), signal(health, "buffer_oldest_age")
        assert (depth["latest"], age["latest"]) == (waiting, oldest)
        assert {epoch(p["timestamp"]): p["value"] for p in depth["series"]} == per_minute(samples, "visible")
        assert {epoch(p["timestamp"]): p["value"] for p in age["series"]} == per_minute(samples, "age")

        # The text shows each beside its number as a sparkline over the hour: flat before the
        # burst (no data = 0), the burst's minutes the tallest bar.
        rows = {r.split()[0]: r for r in (ln.strip() for ln in text.splitlines()) if r.split()}
        for name in ("buffer_messages", "buffer_oldest_age"):
            assert re.search("▁+.*█", rows[name]), (name, text)
        assert re.match(rf"buffer_messages +{waiting} now\b", rows["buffer_messages"]), rows["buffer_messages"]

        # The app speeds up: the backlog drains, every event delivered once, none lost.
        receiver.state.control({"delay_seconds": 0})
        wait_for(lambda: receiver.state.stats()["accepted"] == BURST, timeout=180, what="the whole burst delivered")
        wait_for(lambda: svc.idle(stack), what="the buffer drained")
        st = receiver.state.stats()
        assert all(v == {"received": 1, "accepted": 1} for v in st["by_event_id"].values()), st["by_event_id"]
        assert st["max_in_flight"] <= 2, st["max_in_flight"]
        metrics.publisher(moto.endpoint).flush()
        health = json.loads(evrelay(moto, "--stack", stack, "--output", "json", "status").stdout)["health"]
        assert signal(health, "delivered")["total"] == BURST
    finally:
        try:
            destroy(moto, svc, stack)
        finally:
            svc.stop()


def test_the_buffer_is_dated_by_what_the_mapping_received_poison_pills_left_out():
    """metrics.py's dating rule, without moto: the oldest enqueue time among the messages the
    mapping holds; one received 3 times (or its redrive's maxReceiveCount) does not count."""
    ep, q = "http://dating.invalid", f"d{uuid.uuid4().hex[:6]}-buffer"

    def msg(i, sent, receives):
        return {"MessageId": i, "Attributes": {"SentTimestamp": str(sent * 1000),
                                               "ApproximateReceiveCount": str(receives)}}
    assert metrics.buffer_oldest_sent(ep, q, None) is None  # nothing received: not dated
    metrics.buffer_received(ep, q, [msg("a", 100, 1), msg("b", 105, 1)])
    assert metrics.buffer_oldest_sent(ep, q, 5) == 100
    metrics.buffer_deleted(ep, q, ["a"])  # delivered
    assert metrics.buffer_oldest_sent(ep, q, 5) == 105
    metrics.buffer_received(ep, q, [msg("p", 90, 3)])  # a poison pill: left out
    assert metrics.buffer_oldest_sent(ep, q, 5) == 105
    metrics.buffer_received(ep, q, [msg("r", 95, 2)])
    assert metrics.buffer_oldest_sent(ep, q, 5) == 95
    assert metrics.buffer_oldest_sent(ep, q, 2) == 105  # at maxReceiveCount 2 it goes to the DLQ
