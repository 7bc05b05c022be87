#!/usr/bin/env bash
# Round-trip latency through the local sandbox: `evrelay send --return-response`, and the part
# of it that is evrelay's own (sending, polling the responses queue) rather than the pipeline's
# (EventBridge -> the sandbox's Lambda stand-in -> relay -> receiver -> response event -> queue).
#
#   tests/sandbox/bench_roundtrip.sh            # ~1-2 min warm; measures and prints, exits 0
#
# Env: COUNT (200), CONCURRENCY (8), SEQ_COUNT (50), EVRELAY_BIN, PYTHON, STACK, KEEP=1 (keep
# the state dir with the raw JSON and the proxy log; its path is printed).
#
# evrelay talks to moto through bench_roundtrip.py's pass-through proxy, which timestamps each
# PutEvents and ReceiveMessage and reads the SentTimestamp evrelay already asks SQS for; the
# relay and the sandbox talk to moto directly. See BENCHMARKS.md for what each figure means.
# Nothing is left running, also on Ctrl-C or failure. Builds nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
EVRELAY_BIN=${EVRELAY_BIN:-$ROOT/target/debug/evrelay}
STACK=${STACK:-event-relay-app}
COUNT=${COUNT:-200}
CONCURRENCY=${CONCURRENCY:-8}
SEQ_COUNT=${SEQ_COUNT:-50}
HELPER="$ROOT/tests/sandbox/bench_roundtrip.py"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/evrelay-bench.XXXXXX")
SANDBOX=("$PY" "$ROOT/tests/sandbox/sandbox.py")
PROXY_PID=

sandbox() { "${SANDBOX[@]}" "$1" --state-dir "$STATE" "${@:2}"; }

cleanup() {
    local rc=$?
    if [[ -n $PROXY_PID ]]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    sandbox down >/dev/null 2>&1 || true
    if [[ ${KEEP:-} == 1 ]]; then echo "state kept in $STATE" >&2; else rm -rf "$STATE"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x $EVRELAY_BIN ]] || { echo "no evrelay binary at $EVRELAY_BIN (cargo build --all-targets)" >&2; exit 1; }

echo "# sandbox up"
sandbox up --owner-pid $$ >/dev/null
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
MOTO_URL=$AWS_ENDPOINT_URL

echo "# deploy $STACK -> $SANDBOX_RECEIVER_URL"
KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
printf %s "$KEY" | "$EVRELAY_BIN" --stack "$STACK" deploy --cluster events \
    --url "$SANDBOX_RECEIVER_URL" --secret-stdin --yes >/dev/null
sandbox hook --stack "$STACK" >/dev/null

echo "# timing proxy in front of moto (for evrelay only)"
"$PY" "$HELPER" proxy --upstream "$MOTO_URL" --log "$STATE/proxy.jsonl" --port-file "$STATE/proxy.port" &
PROXY_PID=$!
for _ in $(seq 100); do [[ -s $STATE/proxy.port ]] && break; sleep 0.1; done
PROXY_URL="http://127.0.0.1:$(cat "$STATE/proxy.port")"

# A long poll evrelay abandons at the end of a run (once every response is in) goes on in moto
# for up to its 20 s wait and takes whatever lands in the queue meanwhile: the next run's first
# response would then stay invisible for the 10 s visibility timeout. Runs are kept apart by
# waiting until no call evrelay made is still open in moto.
drain_polls() {
    local t0=$SECONDS
    for _ in $(seq 250); do
        [[ $(curl -s "$PROXY_URL/_bench/inflight") == 0 ]] && break
        sleep 0.1
    done
    echo "  abandoned polls done after $((SECONDS - t0)) s"
}

evrelay_via_proxy() { AWS_ENDPOINT_URL=$PROXY_URL "$EVRELAY_BIN" --stack "$STACK" "$@"; }

# Warm-up: start the relay's execution environments and moto's code paths; not measured.
echo "# warm-up (20 events, not measured)"
evrelay_via_proxy send --return-response --count 20 --concurrency "$CONCURRENCY" --output json >/dev/null || true
sandbox wait-idle --stack "$STACK" >/dev/null
drain_polls
: >"$STATE/proxy.jsonl"

run() {  # run NAME ARGS...: one measured send; a failed send (e.g. missing responses) is reported, not fatal
    local name=$1; shift
    echo "# $name: evrelay send --return-response $* --output json"
    local t0=$SECONDS
    evrelay_via_proxy send --return-response "$@" --output json >"$STATE/$name.json" \
        || echo "  (evrelay send exited $?; figures below cover the responses that came)"
    echo "  took $((SECONDS - t0)) s"
    sandbox wait-idle --stack "$STACK" >/dev/null
    drain_polls
}
run "concurrent" --count "$COUNT" --concurrency "$CONCURRENCY"
run "sequential" --count "$SEQ_COUNT" --concurrency 1

"$PY" "$HELPER" report --env-json "$STATE/env.json" --stack "$STACK" --proxy-log "$STATE/proxy.jsonl" \
    "concurrent=$STATE/concurrent.json" "sequential=$STATE/sequential.json"

cat <<'EOF'

round trip: evrelay's own figure, from the start of the PutEvents call carrying the event to the
  return of the ReceiveMessage call that brought its response.
pipeline: from the PutEvents request reaching moto to the response event landing in the
  responses queue (SQS SentTimestamp): EventBridge, the Lambda stand-in, the relay, the
  receiver, the response PutEvents. What "the relay and the receiver take".
evrelay's share: round trip minus pipeline = how long evrelay took to pick up a response already
  in the queue, plus its client-side time (SDK, the proxy's two hops, PutEvents before moto).
EOF
exit 0
