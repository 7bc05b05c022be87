#!/usr/bin/env bash
# Lints the rendered relay template: cfn-lint (no errors, no warnings; informational findings
# are printed but allowed) and checkov (no failed check; every skip is justified in the
# resource's Metadata). Exits non-zero on any finding. CI runs it from tests/run.sh.
#
# The template checked is `$EVRELAY_BIN template` when EVRELAY_BIN is set (the real renderer),
# else tests/template/render.py's rendering of templates/relay.yaml + relay-lambda/relay.py.
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
rendered="$work/relay.yaml" # checkov needs a .yaml name to treat it as CloudFormation

if [ -n "${EVRELAY_BIN:-}" ]; then
  run "$EVRELAY_BIN" template >"$rendered"
else
  run "$python" tests/template/render.py >"$rendered"
fi
if grep -q 'evrelay:relay-code' "$rendered"; then
  echo "rendered template still holds the code marker" >&2
  exit 1
fi

status=0

echo "==> cfn-lint $("$cfn_lint" --version 2>&1 | awk '{print $NF}')"
# Informational rules included; --non-zero-exit-code warning: errors and warnings fail,
# informational findings only print.
if run "$cfn_lint" --include-checks I --format parseable --non-zero-exit-code warning -- "$rendered"; then
  echo "cfn-lint: no errors, no warnings"
else
  echo "cfn-lint: findings above" >&2
  status=1
fi

echo "==> checkov $("$checkov" --version 2>/dev/null)"
# --skip-download: no platform calls (offline CI). The JSON report is summarised below: failed
# checks, the skips with their reasons, the counts.
ok=1
run "$checkov" --file "$rendered" --framework cloudformation --skip-download --compact \
  --output json --output-file-path "$work" >"$work/checkov.out" 2>&1 || ok=0
if [ ! -s "$work/results_json.json" ]; then
  cat "$work/checkov.out"
  ok=0
# A template checkov failed to parse yields no failed check: require resources and no parse error.
elif ! "$python" - "$work/results_json.json" <<'PY'; then
import json, sys
report = json.load(open(sys.argv[1]))
s, results = report["summary"], report["results"]
for c in results.get("failed_checks", []):
    lines = "-".join(map(str, c.get("file_line_range", [])))
    print(f"  FAILED {c['check_id']} on {c['resource']} (lines {lines}): {c['check_name']}")
for c in results.get("skipped_checks", []):
    why = (c.get("check_result") or {}).get("suppress_comment", "")
    print(f"  skipped {c['check_id']} on {c['resource']}: {why}")
for p in results.get("parsing_errors", []):
    print(f"  parsing error: {p}")
print(f"checkov: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped, "
      f"{s['parsing_errors']} parsing errors, {s['resource_count']} resources")
ok = s["failed"] == 0 and s["parsing_errors"] == 0 and s["passed"] > 0 and s["resource_count"] > 0
sys.exit(0 if ok else 1)
PY
  ok=0
fi
if [ "$ok" = 1 ]; then
  echo "checkov: no failed checks"
else
  echo "checkov: findings above" >&2
  status=1
fi

exit "$status"
