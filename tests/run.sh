#!/usr/bin/env bash
# Runs every check and test evrelay has. Idempotent set-up first (Python venvs with the pinned
# tools), then: fmt, clippy, the Rust tests (unit + the real binary against moto), the relay's
# pytest suite, the template's linters and moto deploy, and the sandbox end-to-end test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

# --- set-up -----------------------------------------------------------------------------------
# The same idempotent set-up the demo uses: the venvs with the pinned tools.
bash tests/setup.sh
export EVRELAY_MOTO_SERVER="$root/.venv/bin/moto_server"
export PATH="$root/.venv/bin:$PATH"

# --- Rust -------------------------------------------------------------------------------------
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
step "cargo test (unit tests, and the real binary against moto)"
cargo test --locked
export EVRELAY_BIN="$root/target/debug/evrelay"

# --- Python -----------------------------------------------------------------------------------
pytest_dirs=()
for d in relay-lambda/tests tests/emulator tests/template tests/sandbox tests/acceptance; do
  [ -d "$d" ] && pytest_dirs+=("$d")
done
if [ -x tests/template/check.sh ] || [ -f tests/template/check.sh ]; then
  step "cfn-lint and checkov on \`evrelay template\`"
  bash tests/template/check.sh
fi
step "pytest ${pytest_dirs[*]}"
.venv/bin/python -m pytest -q "${pytest_dirs[@]}"
