"""Summarises checkov's JSON report for tests/template/check.sh: each failed check, each skip with
its reason, the counts; exits 1 on a failed check, a parse error, or a template checkov found no
resource in (a template it could not parse yields no failed check)."""

import json
import sys

report = json.load(open(sys.argv[1]))
if "summary" not in report and sys.argv[2:] == ["--no-checks-apply"]:
    # checkov has no check for any resource of this template (the archive's one
    # AWS::Events::Archive) and reports bare counts; cfn-lint has parsed it already.
    print(f"checkov: no check applies ({report})")
    sys.exit(0 if report.get("parsing_errors") == 0 else 1)
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
