#!/usr/bin/env bash
# Lints the rendered templates (the relay's, and a relay pair's endpoint and archive): cfn-lint (no errors, no warnings; informational findings
# are printed but allowed) and checkov (no failed check; every skip is justified in the
# resource's Metadata). Exits non-zero on any finding. CI runs it from tests/run.sh.
#
# The templates checked are `$EVRELAY_BIN template <part>` when EVRELAY_BIN is set (the real
# renderer), else tests/template/render.py's rendering of templates/relay.yaml +
# relay-lambda/relay.py and the pair's templates as they are.
# Tools: cfn-lint from .venv (tests/requirements.txt), checkov from .venv-checkov
# (tests/template/requirements-checkov.txt; its own venv, as it pins an old boto3), installed
# here if missing. Override with CFN_LINT=… / CHECKOV=….
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

run() { printf '+ %s\n' "$*" >&2; "$@"; }

python="$root/.venv/bin/python"
[ -x "$python" ] || python="$(command -v python3)"
cfn_lint="${CFN_LINT:-$root/.venv/bin/cfn-lint}"
checkov="${CHECKOV:-$root/.venv-checkov/bin/checkov}"
if [ ! -x "$checkov" ] && [ -z "${CHECKOV:-}" ]; then
  run python3 -m venv "$root/.venv-checkov"
  run "$root/.venv-checkov/bin/pip" install --quiet --disable-pip-version-check -r tests/template/requirements-checkov.txt
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The relay's template, then the two a relay pair adds (templates/endpoint.yaml in the primary
# Region, templates/archive.yaml in the secondary), each as `evrelay template <part>` renders it.
render() {
  local part="$1" out="$2"
  if [ -n "${EVRELAY_BIN:-}" ]; then
    run "$EVRELAY_BIN" template "$part" >"$out"
  elif [ "$part" = relay ]; then
    run "$python" tests/template/render.py >"$out"
  else
    cp "templates/$part.yaml" "$out"
  fi
}

check() {
  local rendered="$1" out ok failed=0 summary_flags=()
  # checkov knows no check for the archive template's one resource.
  case "$rendered" in */archive.yaml) summary_flags=(--no-checks-apply) ;; esac
  out="$(dirname "$rendered")"
  echo "==> cfn-lint $("$cfn_lint" --version 2>&1 | awk '{print $NF}')"
  # Informational rules included; --non-zero-exit-code warning: errors and warnings fail,
  # informational findings only print.
  if run "$cfn_lint" --include-checks I --format parseable --non-zero-exit-code warning -- "$rendered"; then
    echo "cfn-lint: no errors, no warnings"
  else
    echo "cfn-lint: findings above" >&2
    failed=1
  fi

  echo "==> checkov $("$checkov" --version 2>/dev/null)"
  # --skip-download: no platform calls (offline CI). The JSON report is summarised below: failed
  # checks, the skips with their reasons, the counts.
  ok=1
  run "$checkov" --file "$rendered" --framework cloudformation --skip-download --compact \
    --output json --output-file-path "$out" >"$out/checkov.out" 2>&1 || ok=0
  if [ ! -s "$out/results_json.json" ]; then
    cat "$out/checkov.out"
    ok=0
  # A template checkov failed to parse yields no failed check: require resources and no parse
  # error.
  elif ! "$python" tests/template/checkov_summary.py "$out/results_json.json" "${summary_flags[@]}"; then
    ok=0
  fi
  if [ "$ok" = 1 ]; then
    echo "checkov: no failed checks"
  else
    echo "checkov: findings above" >&2
    failed=1
  fi
  return "$failed"
}

status=0
for part in relay endpoint archive; do
  mkdir -p "$work/$part"
  rendered="$work/$part/$part.yaml" # checkov needs a .yaml name to treat it as CloudFormation
  render "$part" "$rendered"
  if grep -q 'evrelay:relay-code' "$rendered"; then
    echo "rendered $part template still holds the code marker" >&2
    exit 1
  fi
  echo "==> $part template"
  check "$rendered" || status=1
done

exit "$status"
