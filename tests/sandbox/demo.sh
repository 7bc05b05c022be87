#!/usr/bin/env bash
# The tutorial, end to end, against the local sandbox (moto + the sandbox's Lambda stand-in).
#
#   tests/sandbox/demo.sh [--no-build]
#
# Builds evrelay, starts the sandbox, then walks the tutorial printing each command before
# running it: discover -> deploy -> send --return-response -> the app rejects -> send ->
# dlq peek -> the app heals -> dlq redrive -> send --return-response -> logs -> destroy, and
# stops the sandbox. Nothing is left running, also on Ctrl-C or failure. No real AWS is touched:
# AWS_ENDPOINT_URL, dummy credentials and empty AWS config files come from the sandbox's env.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
EVRELAY_BIN=${EVRELAY_BIN:-$ROOT/target/debug/evrelay}
STACK=${STACK:-event-relay-app}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/evrelay-demo.XXXXXX")
SANDBOX=("$PY" "$ROOT/tests/sandbox/sandbox.py")

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
step() { bold "## $*"; }
# Print a command (as the reader would type it), then run it.
run() { bold "\$ $*"; "$@"; }
evrelay() { "$EVRELAY_BIN" "$@"; }
sandbox() { "${SANDBOX[@]}" "$1" --state-dir "$STATE" "${@:2}"; }

cleanup() {
    local rc=$?
    sandbox down >/dev/null 2>&1 || true
    rm -rf "$STATE"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Set up the Python tools (moto, boto3; once, into .venv)"
if [[ -z ${PYTHON:-} ]]; then
    bash "$ROOT/tests/setup.sh" --no-checkov
fi

if [[ ${1:-} != --no-build ]]; then
    step "Build evrelay"
    if [[ ! -x $EVRELAY_BIN ]]; then
        echo "(the first build compiles the AWS SDK crates: 10-20 minutes on 2 cores; later builds take seconds)"
    fi
    # --all-targets: the same feature set as `cargo test` (aws-smithy-mocks turns on the SDK's
    # test-util), so running the demo after the tests does not rebuild every SDK crate.
    run cargo build --quiet --all-targets --manifest-path "$ROOT/Cargo.toml"
fi

step "Start the sandbox (moto, the tutorial's account, the app, the Lambda stand-in)"
# --owner-pid: the sandbox also stops by itself if this script dies without cleaning up.
sandbox up --owner-pid $$
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
echo "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL  app=$SANDBOX_RECEIVER_URL"

# The app's API key: generated, piped to deploy on stdin, never on a command line.
KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')

step "1. Find the cluster's private subnets, node security group and internal ALB"
run evrelay discover --cluster events

step "2. Deploy the relay (the key comes from stdin)"
bold "\$ printf %s \"\$KEY\" | evrelay --stack $STACK deploy --cluster events --url $SANDBOX_RECEIVER_URL --secret-stdin --yes"
printf %s "$KEY" | evrelay --stack "$STACK" deploy --cluster events --url "$SANDBOX_RECEIVER_URL" --secret-stdin --yes
# The sandbox's watcher hooks the stack within ~0.5 s; wait for it so send cannot race it.
sandbox hook --stack "$STACK" >/dev/null

step "3. Send an event and wait for the app's response"
run evrelay --stack "$STACK" send --return-response

step "4. The app starts rejecting events (200 {\"success\": false})"
bold "\$ sandbox receiver --mode reject"
sandbox receiver --mode reject >/dev/null
run evrelay --stack "$STACK" send
echo "(the relay tries 3 times, then Lambda writes a destination record to the DLQ)"
sandbox wait-idle --stack "$STACK" >/dev/null

step "5. Look at the failed event"
run evrelay --stack "$STACK" dlq peek

step "6. The app is fixed: redrive the DLQ"
bold "\$ sandbox receiver --mode ok"
sandbox receiver --mode ok >/dev/null
run evrelay --stack "$STACK" dlq redrive --yes
sandbox wait-idle --stack "$STACK" >/dev/null

step "7. Send again, with the response"
run evrelay --stack "$STACK" send --return-response

step "8. The relay's and the bus's logs"
run evrelay --stack "$STACK" logs --since 10m

step "9. Tear it all down"
run evrelay --stack "$STACK" destroy --yes

step "Stop the sandbox"
SANDBOX_PIDS=$(cat "$STATE/sandbox.pid" "$STATE/moto.pid" 2>/dev/null || true)
sandbox down
for pid in $SANDBOX_PIDS; do
    if kill -0 "$pid" 2>/dev/null; then
        echo "process $pid is still running" >&2
        exit 1
    fi
done
echo "sandbox stopped; no process left."
