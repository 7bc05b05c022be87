#!/usr/bin/env bash
# Benchmark: `evrelay send --count N` and `evrelay dlq drain` beside the baselines an operator
# would otherwise use, in one run, alternating, on two servers:
#   moto       the emulator the tests use. It is the bottleneck: PutEvents is slow and SQS
#              receive is O(queue depth), so here the ratios say more about moto than evrelay.
#   responder  tests/bench/responder.py, a loopback server that answers at once (PutEvents with
#              one EventId per entry, SQS receive from a seeded budget of DLQ records, delete):
#              the ratios measure the clients themselves. Its own CPU share is printed beside
#              each run, to show it kept up.
# Tools:
#   send:  evrelay send --count N     vs  boto3 (PutEvents batches of 10, one thread: boto3_send.py)
#                                     vs  `aws events put-events`, one process per batch of 10
#                                         (moto only, a smaller N, scaled to 10,000)
#   drain: evrelay dlq drain          vs  boto3 receive-10 / write+fsync / delete-batch loop (boto3_drain.py)
# Figures per tool: wall time, events (messages) per second, client CPU (user+sys, from
# /usr/bin/time -v) per 10,000 events, peak memory (max RSS). Medians over rounds, min–max.
# Goals (on the responder): send ≥ 3× boto3's events/s and ≤ 1/5 of its CPU per event;
# drain ≥ 3× boto3's messages/s; peak memory < 50 MB.
# Prints the figures and exits 0; it asserts nothing. Traffic goes to 127.0.0.1 only.
#
# Environment: EVRELAY_BIN (default: target/release/evrelay if built, else target/debug/evrelay),
# EVRELAY_MOTO_SERVER (default: .venv/bin/moto_server; its venv's python runs boto3),
# SERVERS (moto,responder: which servers), PARTS (send,drain: which halves), CONCURRENCY
# (evrelay send --concurrency, 8).
# On moto: SEND_COUNT (10000), CLI_COUNT (300), DRAIN_COUNT (5000), ROUNDS (3), DRAIN_ROUNDS (1).
# On the responder: FAST_SEND_COUNT (50000), FAST_DRAIN_COUNT (20000), FAST_ROUNDS (3),
# RESPONDER_TIMEOUT (1800: the responder exits by itself after this many seconds).
# DRAIN_DIR (default: a fresh directory under TMPDIR): where drain files go. Both tools fsync each
# batch before deleting it, so the disk's fsync latency is part of the drain figures; DRAIN_DIR on
# a tmpfs (/dev/shm) shows the rate without it.
# moto's ReceiveMessage and DeleteMessageBatch scan the whole queue, several times per call:
# at 5,000 messages each call takes seconds, so a 5,000-message drain takes ~15 min for evrelay
# and about an hour for the boto3 loop. DRAIN_COUNT=1000 gives the ratios in minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BENCH=$ROOT/tests/bench

SERVERS=${SERVERS:-moto,responder}
PARTS=${PARTS:-send,drain}
CONCURRENCY=${CONCURRENCY:-8}
SEND_COUNT=${SEND_COUNT:-10000}
CLI_COUNT=${CLI_COUNT:-300}
DRAIN_COUNT=${DRAIN_COUNT:-5000}
ROUNDS=${ROUNDS:-3}
DRAIN_ROUNDS=${DRAIN_ROUNDS:-1}
FAST_SEND_COUNT=${FAST_SEND_COUNT:-50000}
FAST_DRAIN_COUNT=${FAST_DRAIN_COUNT:-20000}
FAST_ROUNDS=${FAST_ROUNDS:-3}
RESPONDER_TIMEOUT=${RESPONDER_TIMEOUT:-1800}

if [[ -z "${EVRELAY_BIN:-}" ]]; then
  if [[ -x target/release/evrelay ]]; then EVRELAY_BIN=target/release/evrelay; else EVRELAY_BIN=target/debug/evrelay; fi
fi
[[ -x "$EVRELAY_BIN" ]] || { echo "no evrelay binary at $EVRELAY_BIN: run cargo build --release (or set EVRELAY_BIN)" >&2; exit 1; }
EVRELAY_BIN=$(realpath "$EVRELAY_BIN")
MOTO=${EVRELAY_MOTO_SERVER:-$ROOT/.venv/bin/moto_server}
[[ -x "$MOTO" ]] || MOTO=$(command -v moto_server || true)
[[ -x "$MOTO" ]] || { echo "moto_server not found: set EVRELAY_MOTO_SERVER or run bash .ci/run once" >&2; exit 1; }
VENV_BIN=$(dirname "$MOTO")
PYTHON=$VENV_BIN/python
AWS_CLI=$VENV_BIN/aws
[[ -x "$AWS_CLI" ]] || AWS_CLI=$(command -v aws || true)
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time not found: apt-get install -y time" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found: apt-get install -y curl" >&2; exit 1; }

WORK=$(mktemp -d)
DRAIN_DIR=$(mktemp -d "${DRAIN_DIR:-$WORK}/drain.XXXXXX")
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
trap 'stop_server; rm -rf "$WORK" "$DRAIN_DIR"' EXIT

# Every tool runs in $WORK: an evrelay.toml in the caller's directory must not change what runs.
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$WORK/empty AWS_SHARED_CREDENTIALS_FILE=$WORK/empty NO_COLOR=1
: >"$WORK/empty"

RESULTS=$WORK/results.tsv # server, tool, events, wall s, user s, sys s, max RSS KB, server CPU s
CALLS=$WORK/calls.json    # the responder's count of each operation, per tool (last round)
echo '{}' >"$CALLS"
SERVER=
CONTROL=

# measure TOOL EVENTS COMMAND...: runs COMMAND in $WORK under /usr/bin/time -v and records the
# figures; on the responder also its CPU time and the calls it answered, which must add up.
measure() {
  local tool=$1 events=$2
  shift 2
  [[ $SERVER != responder ]] || curl -sf "$CONTROL/reset" >/dev/null
  (cd "$WORK" && /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt") || {
    echo "$tool failed on $SERVER:" >&2
    cat "$WORK/err.txt" "$WORK/out.txt" >&2
    [[ $SERVER != responder ]] || { echo "the responder's log:" >&2; tail -20 "$WORK/responder.log" >&2; }
    exit 1
  }
  local stats='{}'
  [[ $SERVER != responder ]] || stats=$(curl -sf "$CONTROL/stats")
  "$PYTHON" - "$SERVER" "$tool" "$events" "$WORK/time.txt" "$stats" "$CALLS" >>"$RESULTS" <<'EOF'
import json, sys
server, tool, events, path, stats, calls_path = sys.argv[1:7]
f = {}
for line in open(path):
    key, _, value = line.strip().rpartition(": ")
    f[key] = value
h, m, s = (["0", "0"] + f["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"))[-3:]
wall = int(h) * 3600 + int(m) * 60 + float(s)
stats = json.loads(stats)
if stats:
    done = stats["put_entries"] if tool.endswith("send") else stats["deleted"]
    if done != int(events):
        print(f"note: {tool}: the responder counted {done} of {events} events", file=sys.stderr)
    calls = json.load(open(calls_path))
    calls[tool] = stats["ops"]
    json.dump(calls, open(calls_path, "w"))
server_cpu = stats.get("cpu_s", "-")
print(f"{server}\t{tool}\t{events}\t{wall}\t{f['User time (seconds)']}\t{f['System time (seconds)']}\t"
      f"{f['Maximum resident set size (kbytes)']}\t{server_cpu}")
EOF
}

# wait_for_port PORT: bounded, polls for the server's socket (no fixed sleep).
wait_for_port() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "server on 127.0.0.1:$1 did not start" >&2
  exit 1
}

start_moto() {
  local port
  port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$MOTO" -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
  SERVER_PID=$!
  wait_for_port "$port"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port
  "$PYTHON" "$BENCH/bench_setup.py" stack bench
  mkdir -p "$WORK/cli"
  "$PYTHON" "$BENCH/bench_setup.py" cli-batches bench-bus "$CLI_COUNT" "$WORK/cli"
}

start_responder() {
  rm -f "$WORK/responder.port"
  "$PYTHON" "$BENCH/responder.py" --port-file "$WORK/responder.port" --timeout "$RESPONDER_TIMEOUT" \
    --stack bench --bus bench-bus --queue bench-dlq 2>"$WORK/responder.log" &
  SERVER_PID=$!
  for _ in $(seq 200); do [[ -s $WORK/responder.port ]] && break; sleep 0.05; done
  [[ -s $WORK/responder.port ]] || { echo "the responder did not start:" >&2; cat "$WORK/responder.log" >&2; exit 1; }
  local port
  port=$(cat "$WORK/responder.port")
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port
  CONTROL=http://127.0.0.1:$port/_bench
}

# seed QUEUE N: a fresh queue of N DLQ records on the current server (not timed).
seed() {
  if [[ $SERVER == responder ]]; then
    curl -sf "$CONTROL/seed?count=$2" >/dev/null
  else
    "$PYTHON" "$BENCH/bench_setup.py" seed "$1" "$2"
  fi
}

# check_lines FILE N TOOL: more lines than messages means a message whose visibility timeout ran
# out before its delete (a slow server) was received again: it is in the file twice, never missing.
check_lines() {
  local lines
  lines=$(wc -l <"$1")
  [[ $lines -eq $2 ]] || echo "note: $3 wrote $lines lines for $2 messages" >&2
  rm -f "$1"
}

# run_rounds SEND_N SEND_ROUNDS DRAIN_N DRAIN_ROUNDS: evrelay, then the baselines, each round.
run_rounds() {
  local send_n=$1 send_rounds=$2 drain_n=$3 drain_rounds=$4 round
  [[ ,$PARTS, == *,send,* ]] || send_rounds=0
  [[ ,$PARTS, == *,drain,* ]] || drain_rounds=0
  for round in $(seq "$send_rounds"); do
    echo "$SERVER: send round $round/$send_rounds" >&2
    measure evrelay-send "$send_n" "$EVRELAY_BIN" --stack bench send --count "$send_n" --concurrency "$CONCURRENCY"
    measure boto3-send "$send_n" "$PYTHON" "$BENCH/boto3_send.py" --bus bench-bus --count "$send_n"
    if [[ $SERVER == moto && -x "$AWS_CLI" ]]; then
      measure aws-cli-send "$CLI_COUNT" bash -c 'for f in "$1"/*.json; do "$2" events put-events --entries "file://$f" >/dev/null || exit 1; done' _ "$WORK/cli" "$AWS_CLI"
    fi
  done
  for round in $(seq "$drain_rounds"); do
    echo "$SERVER: drain round $round/$drain_rounds" >&2
    seed bench-dlq "$drain_n"
    measure evrelay-drain "$drain_n" "$EVRELAY_BIN" --stack bench dlq drain --out "$DRAIN_DIR/evrelay-$SERVER-$round.jsonl"
    check_lines "$DRAIN_DIR/evrelay-$SERVER-$round.jsonl" "$drain_n" evrelay
    seed bench-dlq "$drain_n"
    measure boto3-drain "$drain_n" "$PYTHON" "$BENCH/boto3_drain.py" --queue bench-dlq --out "$DRAIN_DIR/boto3-$SERVER-$round.jsonl"
    check_lines "$DRAIN_DIR/boto3-$SERVER-$round.jsonl" "$drain_n" boto3
  done
}

echo "evrelay benchmark: $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), boto3 $("$PYTHON" -c 'import boto3; print(boto3.__version__)')"
echo "drain files in $DRAIN_DIR ($(df --output=fstype "$DRAIN_DIR" | tail -1))"
echo "evrelay binary: $EVRELAY_BIN ($(case $EVRELAY_BIN in *release*) echo release build;; *) echo "dev build (unoptimised)";; esac))"
[[ ,$SERVERS, != *,moto,* ]] || echo "moto: send $SEND_COUNT events × $ROUNDS rounds (aws CLI: $CLI_COUNT events, scaled); drain $DRAIN_COUNT messages × $DRAIN_ROUNDS rounds"
[[ ,$SERVERS, != *,responder,* ]] || echo "responder: send $FAST_SEND_COUNT events × $FAST_ROUNDS rounds; drain $FAST_DRAIN_COUNT messages × $FAST_ROUNDS rounds"
echo

if [[ ,$SERVERS, == *,moto,* ]]; then
  SERVER=moto
  start_moto
  run_rounds "$SEND_COUNT" "$ROUNDS" "$DRAIN_COUNT" "$DRAIN_ROUNDS"
  stop_server
fi
if [[ ,$SERVERS, == *,responder,* ]]; then
  SERVER=responder
  start_responder
  run_rounds "$FAST_SEND_COUNT" "$FAST_ROUNDS" "$FAST_DRAIN_COUNT" "$FAST_ROUNDS"
  stop_server
fi

"$PYTHON" "$BENCH/bench_report.py" "$RESULTS" "$CALLS"
exit 0
