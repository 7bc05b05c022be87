"""Benchmark: the relay's handler vs the tutorial's connection-per-event client.

    .venv/bin/python relay-lambda/bench.py [--events 2000] [--rounds 3]

Both sides POST the same EventBridge events, with the API key header, to the same local
keep-alive HTTP/1.1 endpoint (tests/loopback_endpoint.py: threaded, TCP_NODELAY on accepted
sockets, so the Nagle/delayed-ACK trap is not what gets measured). The endpoint runs in a
child process, so the client CPU time reported is the client's own.

- relay: the inlined relay text (as the tests load it), one fresh module per round = one
  new warm container; Secrets Manager mocked in-process with moto (read once per container);
  no response events (plain delivery). Its one log line per event goes to an in-memory buffer.
- baseline: the tutorial's relay — secret read once (untimed), then `requests.post(url, json=event,
  headers=...)` per event, which opens a new TCP connection every time. Without `requests`
  installed, a fresh urllib3.PoolManager per event is used instead (said in the output).

Rounds alternate which side goes first; the figures are per round, then the median and the
min–max spread. Prints figures, exits 0, asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))
from relay_harness import API_KEY, BUS, INLINED_FROM, NO_RETRY, SECRET_ID, Context, fresh_module, make_event  # noqa: E402

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402


def serve(conn):
    """Child process: run the endpoint, answer 'stats' with (connections, requests)."""
    from loopback_endpoint import Endpoint

    with Endpoint(expected_key=API_KEY) as ep:
        ep.requests = _Counter()  # don't keep every request body around
        conn.send(ep.url)
        while conn.recv() == "stats":
            conn.send((ep.connections, len(ep.requests)))


class _Counter(list):
    def __init__(self):
        super().__init__()
        self.n = 0

    def append(self, _):
        self.n += 1

    def __len__(self):
        return self.n


def baseline_client():
    try:
        import requests

        def post(url, event, key):
            r = requests.post(url, json=event, headers={"api-key": key}, timeout=10)
            r.raise_for_status()

        return post, f"requests {requests.__version__}: requests.post per event (new connection each)"
    except ImportError:
        import urllib3

        def post(url, event, key):
            r = urllib3.PoolManager().request("POST", url, json=event, headers={"api-key": key}, timeout=10)
            assert 200 <= r.status < 300

        return post, "urllib3: a fresh PoolManager per event (requests is not installed)"


def run_relay(url, events):
    os.environ.update({"TARGET_URL": url, "SECRET_ID": SECRET_ID, "EVENT_BUS_NAME": BUS})
    relay = fresh_module()  # a new container
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        for e in events:
            relay.handler(e, Context())
    relay.HTTP.clear()
    lines = sink.getvalue().splitlines()
    assert len(lines) == len(events) and all(json.loads(l)["outcome"] == "delivered" for l in lines)


def run_baseline(url, events, post, key):
    for e in events:
        post(url, e, key)


def measure(ctl, fn):
    ctl.send("stats")
    c0, r0 = ctl.recv()
    w0, p0 = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - p0
    ctl.send("stats")
    c1, r1 = ctl.recv()
    return {"wall": wall, "cpu": cpu, "connections": c1 - c0, "requests": r1 - r0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=2000, help="events per side per round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    ctl, child = mp.Pipe()
    server = mp.get_context("fork").Process(target=serve, args=(child,), daemon=True)
    server.start()
    url = ctl.recv()
    post, baseline_name = baseline_client()
    events = [make_event(i, amount=i, items=[{"sku": f"sku-{i}", "qty": 1}]) for i in range(args.events)]

    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"relay code: {INLINED_FROM}")
    print(f"baseline: {baseline_name}")
    print(f"{args.events} events per side per round, {args.rounds} rounds, endpoint {url} (keep-alive, TCP_NODELAY)\n")
    print(f"{'round':>5} {'side':<9} {'events/s':>9} {'cpu ms/ev':>9} {'conns':>6} {'requests':>8}")

    rates = {"relay": [], "baseline": []}
    conns = {"relay": [], "baseline": []}
    ratios = []
    for rnd in range(1, args.rounds + 1):
        got = {}
        # moto's mock_aws patches `requests` (via `responses`) while active, which would slow
        # the baseline down: only the relay runs inside it (its secret read, once per
        # container, is timed); the baseline reads its key inside, then posts outside.
        with mock_aws():
            boto3.client("secretsmanager", config=NO_RETRY).create_secret(Name=SECRET_ID, SecretString=API_KEY)
            key = boto3.client("secretsmanager", config=NO_RETRY).get_secret_value(SecretId=SECRET_ID)["SecretString"]
            if rnd % 2 == 1:
                got["relay"] = measure(ctl, lambda: run_relay(url, events))
        got["baseline"] = measure(ctl, lambda: run_baseline(url, events, post, key))
        if rnd % 2 == 0:
            with mock_aws():
                boto3.client("secretsmanager", config=NO_RETRY).create_secret(Name=SECRET_ID, SecretString=API_KEY)
                got["relay"] = measure(ctl, lambda: run_relay(url, events))
        for name in (["relay", "baseline"] if rnd % 2 == 1 else ["baseline", "relay"]):
            m = got[name]
            rate = args.events / m["wall"]
            rates[name].append(rate)
            conns[name].append(m["connections"])
            print(f"{rnd:>5} {name:<9} {rate:>9.0f} {m['cpu'] * 1000 / args.events:>9.3f} "
                  f"{m['connections']:>6} {m['requests']:>8}")
        ratios.append(got["baseline"]["wall"] / got["relay"]["wall"])

    ctl.send("stop")
    server.join(timeout=5)

    def spread(xs, fmt="{:.0f}"):
        return f"median {fmt.format(statistics.median(xs))} (min {fmt.format(min(xs))}, max {fmt.format(max(xs))})"

    print()
    print(f"relay    events/s: {spread(rates['relay'])}; TCP connections per container (round): {conns['relay']}")
    print(f"baseline events/s: {spread(rates['baseline'])}; TCP connections per round: {conns['baseline']}")
    print(f"speed-up (baseline wall / relay wall, same round): {spread(ratios, '{:.2f}')}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
