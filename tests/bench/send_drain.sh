#!/usr/bin/env bash
# Benchmark: `evrelay send --count N` and `evrelay dlq drain` beside the baselines an operator
# would otherwise use, on one moto server, in one run, alternating, so the ratios are fair:
#   send:  evrelay send --count 10000   vs  boto3 (PutEvents batches of 10, one thread: boto3_send.py)
#                                       vs  `aws events put-events`, one process per batch of 10
#                                           (a smaller N, scaled to 10,000)
#   drain: evrelay dlq drain (5,000)    vs  boto3 receive-10 / write+fsync / delete-batch loop (boto3_drain.py)
# Figures per tool: wall time, events (messages) per second, client CPU (user+sys, from
# /usr/bin/time -v) per 10,000 events, peak memory (max RSS). Medians over ROUNDS, min–max.
# Goals: send ≥ 3× boto3's events/s; CPU per 10,000 events ≤ 1/5 of boto3's; peak < 50 MB.
# Prints the figures and exits 0; it asserts nothing.
#
# Environment: EVRELAY_BIN (default: target/release/evrelay if built, else target/debug/evrelay),
# EVRELAY_MOTO_SERVER (default: .venv/bin/moto_server), SEND_COUNT (10000), CLI_COUNT (300),
# DRAIN_COUNT (5000), ROUNDS (3), DRAIN_ROUNDS (1), CONCURRENCY (evrelay --concurrency, 8),
# PARTS (send,drain: which halves to run).
# moto's ReceiveMessage and DeleteMessageBatch scan the whole queue, several times per call:
# at 5,000 messages each call takes seconds, so a 5,000-message drain takes ~15 min for evrelay
# and about an hour for the boto3 loop. DRAIN_COUNT=1000 gives the ratios in minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BENCH=$ROOT/tests/bench

SEND_COUNT=${SEND_COUNT:-10000}
CLI_COUNT=${CLI_COUNT:-300}
DRAIN_COUNT=${DRAIN_COUNT:-5000}
ROUNDS=${ROUNDS:-3}
DRAIN_ROUNDS=${DRAIN_ROUNDS:-1}
PARTS=${PARTS:-send,drain}
CONCURRENCY=${CONCURRENCY:-8}

if [[ -z "${EVRELAY_BIN:-}" ]]; then
  if [[ -x target/release/evrelay ]]; then EVRELAY_BIN=target/release/evrelay; else EVRELAY_BIN=target/debug/evrelay; fi
fi
[[ -x "$EVRELAY_BIN" ]] || { echo "no evrelay binary at $EVRELAY_BIN: run cargo build --release (or set EVRELAY_BIN)" >&2; exit 1; }
MOTO=${EVRELAY_MOTO_SERVER:-$ROOT/.venv/bin/moto_server}
[[ -x "$MOTO" ]] || MOTO=$(command -v moto_server || true)
[[ -x "$MOTO" ]] || { echo "moto_server not found: set EVRELAY_MOTO_SERVER or run bash .ci/run once" >&2; exit 1; }
VENV_BIN=$(dirname "$MOTO")
PYTHON=$VENV_BIN/python
AWS_CLI=$VENV_BIN/aws
[[ -x "$AWS_CLI" ]] || AWS_CLI=$(command -v aws || true)
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time not found: apt-get install -y time" >&2; exit 1; }

WORK=$(mktemp -d)
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MOTO" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done

export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$WORK/empty AWS_SHARED_CREDENTIALS_FILE=$WORK/empty NO_COLOR=1
: >"$WORK/empty"

RESULTS=$WORK/results.tsv # tool, events, wall s, user s, sys s, max RSS KB

# measure TOOL EVENTS COMMAND...: runs COMMAND under /usr/bin/time -v and records the figures.
measure() {
  local tool=$1 events=$2
  shift 2
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || {
    echo "$tool failed:" >&2
    cat "$WORK/err.txt" "$WORK/out.txt" >&2
    exit 1
  }
  "$PYTHON" - "$tool" "$events" "$WORK/time.txt" >>"$RESULTS" <<'EOF'
import sys
tool, events, path = sys.argv[1], sys.argv[2], sys.argv[3]
f = {}
for line in open(path):
    key, _, value = line.strip().rpartition(": ")
    f[key] = value
h, m, s = (["0", "0"] + f["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
wall = int(h) * 3600 + int(m) * 60 + float(s)
print(f"{tool}\t{events}\t{wall}\t{f['User time (seconds)']}\t{f['System time (seconds)']}\t{f['Maximum resident set size (kbytes)']}")
EOF
}

echo "evrelay benchmark: moto $("$PYTHON" -c 'import moto; print(moto.__version__)') on $AWS_ENDPOINT_URL; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "evrelay binary: $EVRELAY_BIN ($(case $EVRELAY_BIN in *release*) echo release build;; *) echo "dev build (unoptimised)";; esac))"
echo "send: $SEND_COUNT events × $ROUNDS rounds (aws CLI: $CLI_COUNT events, scaled); drain: $DRAIN_COUNT messages × $DRAIN_ROUNDS rounds"
echo

"$PYTHON" "$BENCH/bench_setup.py" bus bench-bus
mkdir -p "$WORK/cli"
"$PYTHON" "$BENCH/bench_setup.py" cli-batches bench-bus "$CLI_COUNT" "$WORK/cli"

[[ ,$PARTS, == *,send,* ]] || ROUNDS=0
[[ ,$PARTS, == *,drain,* ]] || DRAIN_ROUNDS=0
for round in $(seq "$ROUNDS"); do
  echo "send round $round/$ROUNDS" >&2
  measure evrelay-send "$SEND_COUNT" "$EVRELAY_BIN" --stack bench send --count "$SEND_COUNT" --concurrency "$CONCURRENCY"
  measure boto3-send "$SEND_COUNT" "$PYTHON" "$BENCH/boto3_send.py" --bus bench-bus --count "$SEND_COUNT"
  if [[ -x "$AWS_CLI" ]]; then
    measure aws-cli-send "$CLI_COUNT" bash -c 'for f in "$1"/*.json; do "$2" events put-events --entries "file://$f" >/dev/null || exit 1; done' _ "$WORK/cli" "$AWS_CLI"
  fi
done

for round in $(seq "$DRAIN_ROUNDS"); do
  echo "drain round $round/$DRAIN_ROUNDS" >&2
  "$PYTHON" "$BENCH/bench_setup.py" seed bench-dlq "$DRAIN_COUNT"
  measure evrelay-drain "$DRAIN_COUNT" "$EVRELAY_BIN" --stack bench dlq drain --out "$WORK/evrelay-$round.jsonl"
  # More lines than messages: a message whose visibility timeout ran out before its delete
  # (a slow server) was received again; it is in the file twice, never missing.
  [[ $(wc -l <"$WORK/evrelay-$round.jsonl") -eq $DRAIN_COUNT ]] || echo "note: evrelay wrote $(wc -l <"$WORK/evrelay-$round.jsonl") lines for $DRAIN_COUNT messages" >&2
  "$PYTHON" "$BENCH/bench_setup.py" seed bench-dlq "$DRAIN_COUNT"
  measure boto3-drain "$DRAIN_COUNT" "$PYTHON" "$BENCH/boto3_drain.py" --queue bench-dlq --out "$WORK/boto3-$round.jsonl"
  [[ $(wc -l <"$WORK/boto3-$round.jsonl") -eq $DRAIN_COUNT ]] || echo "note: boto3 wrote $(wc -l <"$WORK/boto3-$round.jsonl") lines for $DRAIN_COUNT messages" >&2
done

"$PYTHON" - "$RESULTS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    tool, events, wall, user, sys_, rss = line.split("\t")
    events, wall, cpu, rss = int(events), float(wall), float(user) + float(sys_), int(rss) / 1024
    rows.setdefault(tool, []).append({"rate": events / wall, "wall": wall, "cpu10k": cpu * 10_000 / events, "mb": rss})

def med(tool, key):
    return statistics.median(r[key] for r in rows[tool])

def spread(tool, key, fmt):
    values = [r[key] for r in rows[tool]]
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"

def table(title, unit, tools):
    print(title)
    print(f"  {'':<28}{'wall s':>22}{unit + '/s':>26}{'CPU s per 10k':>24}{'peak MB':>20}")
    for tool, label in tools:
        if tool in rows:
            print(f"  {label:<28}{spread(tool, 'wall', '{:.2f}'):>22}{spread(tool, 'rate', '{:.0f}'):>26}"
                  f"{spread(tool, 'cpu10k', '{:.2f}'):>24}{spread(tool, 'mb', '{:.1f}'):>20}")
    print()

table("send (medians over rounds, min–max)", "events", [
    ("evrelay-send", "evrelay send --count"),
    ("boto3-send", "boto3, batches of 10"),
    ("aws-cli-send", "aws CLI, 1 process/batch*"),
])
table("dlq drain", "msgs", [("evrelay-drain", "evrelay dlq drain"), ("boto3-drain", "boto3 receive/delete loop")])

print("ratios (same run, medians):")
if "evrelay-send" in rows and "boto3-send" in rows:
    send_rate = med("evrelay-send", "rate") / med("boto3-send", "rate")
    send_cpu = med("boto3-send", "cpu10k") / med("evrelay-send", "cpu10k")
    print(f"  send events/s, evrelay ÷ boto3:          {send_rate:5.1f}×   (goal ≥ 3×)")
    print(f"  send CPU per 10k events, boto3 ÷ evrelay: {send_cpu:5.1f}×   (goal ≥ 5×)")
if "evrelay-send" in rows and "aws-cli-send" in rows:
    print(f"  send events/s, evrelay ÷ aws CLI:        {med('evrelay-send', 'rate') / med('aws-cli-send', 'rate'):5.1f}×")
    print(f"  send CPU per 10k, aws CLI ÷ evrelay:      {med('aws-cli-send', 'cpu10k') / med('evrelay-send', 'cpu10k'):5.1f}×")
if "evrelay-drain" in rows and "boto3-drain" in rows:
    print(f"  drain msgs/s, evrelay ÷ boto3:            {med('evrelay-drain', 'rate') / med('boto3-drain', 'rate'):5.1f}×")
    print(f"  drain CPU per 10k, boto3 ÷ evrelay:       {med('boto3-drain', 'cpu10k') / med('evrelay-drain', 'cpu10k'):5.1f}×")
peak = max(max(r["mb"] for r in rows[t]) for t in ("evrelay-send", "evrelay-drain") if t in rows)
print(f"  evrelay peak memory:                      {peak:5.1f} MB (goal < 50 MB)")
print("\n* aws CLI figures are for a smaller N, scaled per 10,000 events.")
EOF
exit 0
