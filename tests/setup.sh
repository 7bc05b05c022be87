#!/usr/bin/env bash
# The one set-up step behind both README commands (tests/run.sh and tests/sandbox/demo.sh):
# creates the Python venvs with the pinned tools, idempotently. Each venv is stamped with the
# hash of its requirements, so a second run costs a few milliseconds and a changed pin
# reinstalls. Source it or run it; either way it only installs what is missing.
#
#   bash tests/setup.sh            # .venv (moto, boto3, pytest, cfn-lint) and .venv-checkov
#   bash tests/setup.sh --no-checkov   # .venv only (what the demo needs)
set -euo pipefail
setup_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v python3 >/dev/null || { echo "setup: python3 not found: install Python 3.11 or newer" >&2; exit 1; }

venv_install() { # venv, then one or more requirements files
  local venv="$1"; shift
  local stamp="$venv/.requirements.sha" want
  want="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -x "$venv/bin/python" ] && return 0
  echo "setup: installing the pinned Python tools into ${venv#"$setup_root"/} ($*); the first time takes a minute or two" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  local args=()
  for req in "$@"; do args+=(-r "$req"); done
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${args[@]}"
  echo "$want" >"$stamp"
}

cd "$setup_root"
venv_install "$setup_root/.venv" tests/requirements.txt tests/sandbox/requirements.txt relay-lambda/requirements-test.txt
if [ "${1:-}" != --no-checkov ]; then
  # checkov pins an old boto3 that would downgrade the one moto and the relay tests use.
  venv_install "$setup_root/.venv-checkov" tests/template/requirements-checkov.txt
fi
