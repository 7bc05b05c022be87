#!/usr/bin/env bash
# The acceptance run: the emulator by default; a real account with EVRELAY_ACCEPTANCE=1 and
# AWS_PROFILE set (then `--yes` starts it without asking). See tests/acceptance/README.md.
#
#   bash tests/acceptance/run.sh                                   # emulator, ~2 min
#   EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox AWS_REGION=us-east-1 bash tests/acceptance/run.sh [--yes]
#   ... bash tests/acceptance/run.sh --secondary-region us-west-2 [--yes]   # the relay pair instead
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x "${EVRELAY_BIN:-target/debug/evrelay}" ]; then
  cargo build
fi

if [ "${EVRELAY_ACCEPTANCE:-}" = 1 ] && [ -n "${AWS_PROFILE:-}" ]; then
  # -s: the run prints its plan, asks, and reports its progress as it goes.
  exec .venv/bin/python -m pytest tests/acceptance -q -s -k real_account "$@"
fi
exec .venv/bin/python -m pytest tests/acceptance -q "$@"
