#!/usr/bin/env bash
# Where evrelay's own CPU goes in `send --count N` and `dlq drain`, against the instant local
# responder (tests/bench/responder.py, loopback only), so the profile is evrelay's, not a server's.
# For each command: `perf record` with call graphs, then
#   - the share of samples per binary (evrelay / libc / kernel),
#   - the heaviest functions counting what they call (inclusive), and on their own (self).
# Prints and exits 0; asserts nothing.
#
# Symbols: the release profile strips them. Build a profiling copy with the same code and symbols:
#   CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release
# Environment: EVRELAY_BIN (default target/release/evrelay), EVRELAY_MOTO_SERVER (its venv's python
# runs the responder), SEND_COUNT (50000), DRAIN_COUNT (20000), CONCURRENCY (8),
# CALLGRAPH (perf --call-graph mode: dwarf, or fp), LIMIT (rows per list, 25), PARTS (send,drain).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
EVRELAY_BIN=$(realpath "${EVRELAY_BIN:-target/release/evrelay}")
MOTO=${EVRELAY_MOTO_SERVER:-$ROOT/.venv/bin/moto_server}
PYTHON=$(dirname "$MOTO")/python
SEND_COUNT=${SEND_COUNT:-50000}
DRAIN_COUNT=${DRAIN_COUNT:-20000}
CONCURRENCY=${CONCURRENCY:-8}
CALLGRAPH=${CALLGRAPH:-dwarf}
LIMIT=${LIMIT:-25}
PARTS=${PARTS:-send,drain}
[[ -x $EVRELAY_BIN ]] || { echo "no evrelay binary at $EVRELAY_BIN" >&2; exit 1; }
[[ -x $PYTHON ]] || { echo "no python beside $MOTO: set EVRELAY_MOTO_SERVER" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf not found: apt-get install -y linux-perf" >&2; exit 1; }
if [[ $(readelf -S "$EVRELAY_BIN" 2>/dev/null | grep -c '\.symtab') -eq 0 ]]; then
  echo "note: $EVRELAY_BIN has no symbols; functions show as addresses (see the header for a profiling build)" >&2
fi

WORK=$(mktemp -d)
SERVER_PID=
trap '[[ -z $SERVER_PID ]] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }; rm -rf "$WORK"' EXIT
"$PYTHON" tests/bench/responder.py --port-file "$WORK/port" --timeout 900 2>"$WORK/responder.log" &
SERVER_PID=$!
for _ in $(seq 200); do [[ -s $WORK/port ]] && break; sleep 0.05; done
[[ -s $WORK/port ]] || { echo "the responder did not start:" >&2; cat "$WORK/responder.log" >&2; exit 1; }
CONTROL=http://127.0.0.1:$(cat "$WORK/port")/_bench
export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$WORK/port") AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
export AWS_CONFIG_FILE=$WORK/empty AWS_SHARED_CREDENTIALS_FILE=$WORK/empty
: >"$WORK/empty"

# profile NAME COMMAND...: records COMMAND (run in $WORK) and prints the three lists.
profile() {
  local name=$1
  shift
  (cd "$WORK" && perf record -q -F 1999 --call-graph "$CALLGRAPH" -o "$WORK/$name.data" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt") || {
    echo "$name failed:" >&2; cat "$WORK/err.txt" "$WORK/out.txt" >&2; exit 1
  }
  echo "== $name: $(grep -v '^$' "$WORK/out.txt" | head -1)"
  echo "-- samples per binary"
  perf report -i "$WORK/$name.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep '%' | head -6
  echo "-- heaviest functions, with what they call (inclusive)"
  perf report -i "$WORK/$name.data" --stdio --children --sort sym -g none --percent-limit 1 2>/dev/null \
    | grep '%' | head -"$LIMIT" | cut -c1-160
  echo "-- heaviest functions on their own (self)"
  perf report -i "$WORK/$name.data" --stdio --no-children --sort sym -g none --percent-limit 0.5 2>/dev/null \
    | grep '%' | head -"$LIMIT" | cut -c1-160
  echo
}

echo "evrelay profile: $EVRELAY_BIN; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ,$PARTS, == *,send,* ]]; then
  profile send "$EVRELAY_BIN" --stack bench send --count "$SEND_COUNT" --concurrency "$CONCURRENCY"
fi
if [[ ,$PARTS, == *,drain,* ]]; then
  curl -sf "$CONTROL/seed?count=$DRAIN_COUNT" >/dev/null
  profile drain "$EVRELAY_BIN" --stack bench dlq drain --out "$WORK/drain.jsonl"
fi
exit 0
