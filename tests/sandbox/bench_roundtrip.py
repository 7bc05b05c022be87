"""Helper for bench_roundtrip.sh: a timing proxy in front of moto, and the report.

  bench_roundtrip.py proxy  --upstream URL --log FILE --port-file FILE
  bench_roundtrip.py report --env-json FILE --stack S --proxy-log FILE NAME=SEND.json ...

`proxy` is a passive HTTP/1.1 pass-through between evrelay and moto (evrelay gets
AWS_ENDPOINT_URL pointed at it; nothing else does). It changes no byte of a request or a
response; it records, on the machine's clock (the same clock moto stamps SQS messages with):

- PutEvents: when the request arrived, when the answer went back, the EventBridge ids given;
- ReceiveMessage on the responses queue: when the answer went back and, for each message,
  its `request-id` and the SentTimestamp / ApproximateFirstReceiveTimestamp attributes moto
  returned (evrelay asks for every system attribute).

`report` joins that with evrelay's own `--output json` (round_trip_ms, relay_latency_ms per
event) and with the relay's log lines (START of the invocation, per request-id) and prints one
table per run. What each column means is printed with it (and in BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---- the proxy ------------------------------------------------------------------------------------

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


def now_ms() -> float:
    return time.time() * 1000.0


def make_handler(upstream: str, out, lock: threading.Lock):
    up = urllib.parse.urlsplit(upstream)
    local = threading.local()
    inflight = {"n": 0}

    def conn() -> http.client.HTTPConnection:
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        return c

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY: headers and body go out in two writes; with Nagle on, the client's
        # delayed ACK would hold the body ~40 ms and the proxy would add that to every call.
        disable_nagle_algorithm = True

        def log_message(self, *a):  # quiet
            pass

        def _forward(self):
            if self.path == "/_bench/inflight":  # the proxy's own: calls still waiting on moto
                data = str(inflight["n"]).encode()
                self.send_response_only(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            with lock:
                inflight["n"] += 1
            try:
                self._forward_upstream()
            finally:
                with lock:
                    inflight["n"] -= 1

        def _forward_upstream(self):
            t_in = now_ms()
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            for attempt in (1, 2):
                try:
                    c = conn()
                    c.request(self.command, self.path, body=body, headers=headers)
                    r = c.getresponse()
                    data = r.read()
                    break
                except (http.client.HTTPException, OSError):
                    local.c = None  # stale keep-alive connection: reconnect once
                    if attempt == 2:
                        raise
            gone = False
            try:
                self.send_response_only(r.status, r.reason)
                for k, v in r.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                # evrelay dropped the call (a long poll it abandoned once every response was
                # in): moto answered anyway, and whatever it handed over is now invisible.
                gone = True
                self.close_connection = True
            record(self.headers.get("X-Amz-Target", ""), body, data, t_in, now_ms(), gone)

        do_POST = do_GET = _forward

    def record(target: str, body: bytes, data: bytes, t_in: float, t_out: float, gone: bool):
        rec = None
        try:
            if target.endswith(".PutEvents"):
                ids = [e.get("EventId") for e in json.loads(data).get("Entries", [])]
                rec = {"op": "PutEvents", "t_in": t_in, "t_out": t_out, "ids": ids}
            elif target.endswith(".ReceiveMessage"):
                msgs = []
                for m in json.loads(data).get("Messages", []) or []:
                    try:
                        rid = json.loads(m["Body"])["detail"]["request-id"]
                    except (ValueError, KeyError, TypeError):
                        rid = None
                    a = m.get("Attributes", {})
                    msgs.append({"rid": rid, "sent": int(a.get("SentTimestamp", 0)),
                                 "first_recv": int(a.get("ApproximateFirstReceiveTimestamp", 0)),
                                 "recv_count": int(a.get("ApproximateReceiveCount", 0))})
                req = json.loads(body or b"{}")
                rec = {"op": "ReceiveMessage", "t_in": t_in, "t_out": t_out,
                       "wait": req.get("WaitTimeSeconds"), "msgs": msgs}
            else:
                rec = {"op": target.split(".")[-1] or "?", "t_in": t_in, "t_out": t_out}
        except ValueError:
            rec = {"op": "unparsed:" + target, "t_in": t_in, "t_out": t_out}
        if gone:
            rec["client_gone"] = True
        with lock:
            out.write(json.dumps(rec) + "\n")
            out.flush()

    return Handler


def proxy(upstream: str, log_path: str, port_file: str) -> int:
    out = open(log_path, "a")
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(upstream, out, threading.Lock()))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever(poll_interval=0.2)
    out.close()
    return 0


# ---- the report -----------------------------------------------------------------------------------

def pct(values, p):
    """Nearest rank, as evrelay's own Percentiles."""
    v = sorted(values)
    if not v:
        return None
    k = max(1, min(len(v), -(-len(v) * p // 100)))
    return v[int(k) - 1]


def relay_starts(env: dict, stack: str) -> dict:
    """request-id -> epoch ms of the START line of the invocation that logged it (first one)."""
    import boto3
    logs = boto3.client("logs", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    group = f"/aws/lambda/{stack}-relay"
    by_stream: dict[str, list] = {}
    kw = {"logGroupName": group}
    while True:
        page = logs.filter_log_events(**kw)
        for e in page.get("events", []):
            by_stream.setdefault(e["logStreamName"], []).append((e["timestamp"], e["message"]))
        if not page.get("nextToken"):
            break
        kw["nextToken"] = page["nextToken"]
    starts: dict[str, int] = {}
    for lines in by_stream.values():
        start = None
        for ts, msg in lines:  # one stream = one environment = invocations one after another
            if msg.startswith("START RequestId:"):
                start = ts
            elif msg.lstrip().startswith("{"):
                try:
                    rid = json.loads(msg).get("request-id")
                except ValueError:
                    continue
                if rid and start is not None:
                    starts.setdefault(rid, start)
    return starts


def report(env_json: str, stack: str, proxy_log: str, runs: list[str]) -> int:
    env = json.load(open(env_json))
    puts: dict[str, tuple[float, float]] = {}       # event id -> (t_in, t_out) of its PutEvents
    first_seen: dict[str, tuple[float, dict]] = {}  # request id -> (t_out of the receive, msg)
    receives, lost = [], []
    for line in open(proxy_log):
        r = json.loads(line)
        if r["op"] == "PutEvents":
            for i in r["ids"]:
                if i:
                    puts.setdefault(i, (r["t_in"], r["t_out"]))
        elif r["op"] == "ReceiveMessage" and r.get("client_gone"):
            lost.extend(m["rid"] for m in r["msgs"])
        elif r["op"] == "ReceiveMessage":
            receives.append(r)
            for m in r["msgs"]:
                if m["rid"] and m["rid"] not in first_seen:
                    first_seen[m["rid"]] = (r["t_out"], m)
    try:
        starts = relay_starts(env, stack)
    except Exception as e:  # noqa: BLE001 - the log is a second measurement only
        print(f"(relay log not read: {e})", file=sys.stderr)
        starts = {}

    def row(name, vals, unit="ms"):
        vals = [v for v in vals if v is not None]
        if not vals:
            return f"  {name:<52} {'n/a':>7}"
        return (f"  {name:<52} {pct(vals, 50):>7.0f} {pct(vals, 90):>7.0f} {pct(vals, 99):>7.0f} "
                f"{max(vals):>7.0f}   n={len(vals)}")

    for spec in runs:
        name, path = spec.split("=", 1)
        out = json.load(open(path))
        s, rs = out["summary"], out.get("responses") or {}
        ev = [e for e in out["events"] if e.get("response")]
        rt, relay, pipe, share, wait_q, notice, put_leg, client, to_start, start_to_q = \
            [], [], [], [], [], [], [], [], [], []
        for e in ev:
            r, eid = e["response"], e["eventbridge_id"]
            rt.append(r["round_trip_ms"])
            relay.append(r.get("relay_latency_ms"))
            p, seen = puts.get(eid), first_seen.get(eid)
            if not p or not seen:
                continue
            t_recv, m = seen
            sent = m["sent"]
            pipe.append(sent - p[0])                       # PutEvents arrives -> response queued
            share.append(r["round_trip_ms"] - (sent - p[0]))
            wait_q.append(t_recv - sent)                    # queued -> ReceiveMessage answered
            notice.append(m["first_recv"] - sent if m["first_recv"] else None)
            put_leg.append(p[1] - p[0])
            client.append(r["round_trip_ms"] - (t_recv - p[0]))
            st = starts.get(eid)
            if st:
                to_start.append(st - p[0])
                start_to_q.append(sent - st)
        print(f"\n== {name}: {s['events']} events, {s['sent']} sent, responses {rs.get('received')}"
              f"/{rs.get('expected')}, elapsed {s['elapsed_ms']} ms ({s['events_per_second']} ev/s)")
        print(f"  {'':<52} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
        print(row("round trip (evrelay's round_trip_ms)", rt))
        print(row("relay latency-ms (relay's POST to the receiver)", relay))
        print(row("pipeline: PutEvents arrives -> response queued", pipe))
        print(row("  of it: PutEvents arrives -> relay invocation START", to_start))
        print(row("  of it: invocation START -> response queued", start_to_q))
        print(row("evrelay's share = round trip - pipeline", share))
        print(row("  of it: response queued -> ReceiveMessage answered", wait_q))
        print(row("  of it: queued -> moto hands it over (FirstReceive)", notice))
        print(row("  of it: client side (SDK, proxy hops, bookkeeping)", client))
        print(row("PutEvents call (arrive -> answered; in pipeline)", put_leg))
        print(f"  matched {len(share)} of {len(ev)} responses to proxy records")
    polls = [r for r in receives if r["msgs"]]
    empty = len(receives) - len(polls)
    print(f"\nReceiveMessage calls answered: {len(receives)} ({empty} empty), "
          f"PutEvents calls: {len({v for v in puts.values()})}")
    print(f"Messages moto handed to a ReceiveMessage evrelay had already dropped: {len(lost)}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("proxy")
    sp.add_argument("--upstream", required=True)
    sp.add_argument("--log", required=True)
    sp.add_argument("--port-file", required=True)
    sp = sub.add_parser("report")
    sp.add_argument("--env-json", required=True)
    sp.add_argument("--stack", required=True)
    sp.add_argument("--proxy-log", required=True)
    sp.add_argument("runs", nargs="+", metavar="NAME=SEND.json")
    a = p.parse_args(argv)
    if a.cmd == "proxy":
        return proxy(a.upstream, a.log, a.port_file)
    return report(a.env_json, a.stack, a.proxy_log, a.runs)


if __name__ == "__main__":
    sys.exit(main())
