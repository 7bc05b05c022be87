"""Driver for buffered.sh: one burst into a fragile app, per delivery mode, in a running sandbox.

    buffered_bench.py run --state-dir DIR --stack S --mode direct|buffered --count N \
        --app-concurrency C --app-delay SECONDS --out FILE.json
    buffered_bench.py report FILE.json ...

`run` sets the receiver up as a small internal service (each request takes --app-delay; a
request arriving while C are being answered gets 503 at once), sends --count events with
`evrelay send`, waits until the stack is idle (nothing on the tap or the buffer, no invocation
or retry in flight), and writes what it measured. `report` prints one table. Measures and
prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))

from moto_proc import client  # noqa: E402


def http(method: str, url: str, body: dict | None = None, timeout: float = 30) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def queue_depth(sqs, name: str) -> int:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])


def run(a) -> None:
    env = json.load(open(os.path.join(a.state_dir, "env.json")))
    admin, evrelay = env["SANDBOX_ADMIN_URL"], os.environ.get("EVRELAY_BIN", os.path.join(ROOT, "target/debug/evrelay"))
    http("POST", env["SANDBOX_CONTROL_URL"], {
        "reset": True, "mode": "ok", "stack": a.stack, "delay_seconds": a.app_delay,
        "max_concurrent": a.app_concurrency})
    t0 = time.monotonic()
    send = subprocess.run([evrelay, "--stack", a.stack, "--output", "json", "-q", "send", "--count", str(a.count)],
                          capture_output=True, text=True, env={**os.environ, **env})
    sent_s = time.monotonic() - t0
    if send.returncode != 0:
        print(f"evrelay send exited {send.returncode}: {send.stderr.strip()[:300]}", file=sys.stderr)
    # Idle: the tap or the buffer empty, nothing in flight, no retry waiting.
    while True:
        try:
            http("POST", f"{admin}/idle?stack={a.stack}&timeout=60", timeout=90)
            break
        except Exception:  # noqa: BLE001 - not idle within 60 s: ask again
            continue
    drained_s = time.monotonic() - t0
    app = http("GET", env["SANDBOX_STATS_URL"])
    hooked = http("GET", f"{admin}/status")["stacks"][a.stack]
    sqs = client("sqs", env["AWS_ENDPOINT_URL"])
    if a.mode == "direct":
        invocations = hooked["stats"]["invocations"]
    else:
        invocations = sum(m["invocations"] for m in hooked["mappings"].values())
    result = {
        "mode": a.mode, "events": a.count, "app_concurrency": a.app_concurrency, "app_delay_s": a.app_delay,
        "posts": app["received"] + app["overloaded"], "accepted": app["accepted"],
        "unique_accepted": sum(1 for e in app["by_event_id"].values() if e.get("accepted")),
        "answered_503": app["overloaded"], "app_max_at_once": app["max_in_flight"],
        "invocations": invocations, "dlq": queue_depth(sqs, f"{a.stack}-dlq"),
        "send_s": round(sent_s, 1), "drain_s": round(drained_s, 1),
    }
    json.dump(result, open(a.out, "w"))
    print(json.dumps(result))


COLUMNS = [
    ("mode", "mode"), ("events", "events"), ("posts", "POSTs at the app"), ("answered_503", "503s"),
    ("unique_accepted", "events accepted"), ("dlq", "in the DLQ"), ("app_max_at_once", "most at once"),
    ("invocations", "invocations"), ("drain_s", "drained after (s)"),
]


def report(files: list[str]) -> None:
    rows = [json.load(open(f)) for f in files]
    table = [[h for _, h in COLUMNS]] + [[str(r[k]) for k, _ in COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    for i, row in enumerate(table):
        print("  ".join(c.rjust(w) if i and j else c.ljust(w) for j, (c, w) in enumerate(zip(row, widths))))
    if rows:
        r = rows[0]
        print(f"\nthe app: {r['app_delay_s']:.1f} s a request, 503 to any request beyond {r['app_concurrency']} at once")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--state-dir", required=True)
    r.add_argument("--stack", required=True)
    r.add_argument("--mode", choices=["direct", "buffered"], required=True)
    r.add_argument("--count", type=int, default=2000)
    r.add_argument("--app-concurrency", type=int, default=2)
    r.add_argument("--app-delay", type=float, default=0.2)
    r.add_argument("--out", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("files", nargs="+")
    a = p.parse_args()
    run(a) if a.cmd == "run" else report(a.files)


if __name__ == "__main__":
    main()
