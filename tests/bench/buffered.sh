#!/usr/bin/env bash
# Why buffered delivery: one burst into a fragile app, direct against buffered, in one sandbox.
#
#   tests/bench/buffered.sh                 # 2,000 events a mode (~10 min warm); prints a table
#   tests/bench/buffered.sh --count 200     # a quick run
#
# The app (tests/sandbox/receiver_app.py) takes APP_DELAY s a request (0.2) and answers 503 at
# once to a request arriving while APP_CONCURRENCY (2) are being answered: a small internal
# service. Direct: the rule invokes the relay per event, the sandbox plays Lambda's async
# invocation with LAMBDA_CONCURRENCY (8) execution environments and its retries (sandbox delays,
# SANDBOX_RETRY_DELAYS, instead of Lambda's ~1 and ~2 min), then the DLQ. Buffered:
# `deploy --delivery buffered --max-concurrency 2`, the sandbox plays the event source mapping.
# Env: EVRELAY_BIN, PYTHON, KEEP=1 (keep the state dir). Builds nothing; measures and prints,
# exits 0; nothing is left running, also on Ctrl-C or failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
export EVRELAY_BIN=${EVRELAY_BIN:-$ROOT/target/debug/evrelay}
COUNT=2000
APP_CONCURRENCY=${APP_CONCURRENCY:-2}
APP_DELAY=${APP_DELAY:-0.2}
MAX_CONCURRENCY=${MAX_CONCURRENCY:-2}
export SANDBOX_LAMBDA_CONCURRENCY=${LAMBDA_CONCURRENCY:-8}
while [[ $# -gt 0 ]]; do
    case $1 in
        --count) COUNT=$2; shift 2 ;;
        *) echo "usage: $0 [--count N]" >&2; exit 2 ;;
    esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || { echo "--count $COUNT: give a whole number of events, e.g. --count 200" >&2; exit 2; }
[[ -x $EVRELAY_BIN ]] || { echo "no evrelay binary at $EVRELAY_BIN (cargo build)" >&2; exit 1; }

DRIVER="$ROOT/tests/bench/buffered_bench.py"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/evrelay-buffered.XXXXXX")
SANDBOX=("$PY" "$ROOT/tests/sandbox/sandbox.py")
sandbox() { "${SANDBOX[@]}" "$1" --state-dir "$STATE" "${@:2}"; }

cleanup() {
    local rc=$?
    sandbox down >/dev/null 2>&1 || true
    if [[ ${KEEP:-} == 1 ]]; then echo "state kept in $STATE" >&2; else rm -rf "$STATE"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# sandbox up (Lambda: $SANDBOX_LAMBDA_CONCURRENCY environments for direct delivery)"
sandbox up --owner-pid $$ >/dev/null
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
export EVRELAY_CONFIG=$STATE/evrelay.toml

deploy() {  # deploy STACK ARGS...: a relay pointed at the app, hooked before the burst
    local stack=$1; shift
    echo "# evrelay --stack $stack deploy --cluster events --url \$SANDBOX_RECEIVER_URL $*"
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(24), end="")' |
        "$EVRELAY_BIN" --stack "$stack" deploy --cluster events --url "$SANDBOX_RECEIVER_URL" \
            --secret-stdin --yes "$@" >/dev/null 2>"$STATE/deploy-$stack.log" ||
        { cat "$STATE/deploy-$stack.log" >&2; exit 1; }
    sandbox hook --stack "$stack" >/dev/null
}

burst() {  # burst STACK MODE
    echo "# $2: evrelay --stack $1 send --count $COUNT, then wait until the stack is idle"
    "$PY" "$DRIVER" run --state-dir "$STATE" --stack "$1" --mode "$2" --count "$COUNT" \
        --app-concurrency "$APP_CONCURRENCY" --app-delay "$APP_DELAY" --out "$STATE/$2.json" >/dev/null
}

deploy bench-direct
burst bench-direct direct
deploy bench-buffered --delivery buffered --max-concurrency "$MAX_CONCURRENCY"
burst bench-buffered buffered

echo
"$PY" "$DRIVER" report "$STATE/direct.json" "$STATE/buffered.json"
cat <<EOF
direct: Lambda retries the failed invocations (sandbox delays: ${SANDBOX_RETRY_DELAYS:-0.5,1.0} s), then writes
  the event to the DLQ. On AWS, Lambda would run far more than $SANDBOX_LAMBDA_CONCURRENCY at once.
buffered: at most $MAX_CONCURRENCY invocations at once (each POSTs its batch's events one by one); the buffer
  holds the rest. "drained after": from the first PutEvents until nothing is queued or in flight.
EOF
exit 0
