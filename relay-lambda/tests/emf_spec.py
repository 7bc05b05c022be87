"""CloudWatch's Embedded Metric Format, as a checker of the relay's log lines.

The rules are the specification's (Amazon CloudWatch User Guide, "Specification: Embedded
metric format",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html),
plus the CloudWatch limits a metric extracted from it must meet (CloudWatch API Reference,
MetricDatum and Dimension:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html).
`emf_violations` lists what breaks them; `split` separates a line's contract fields
(relay-lambda/README.md) from its EMF members.
"""

from __future__ import annotations

import json
import math
import re
import time

MAX_DIMENSIONS = 30          # a DimensionSet MUST NOT contain more than 30 dimension keys
MAX_METRICS = 100            # a directive's Metrics MUST NOT contain more than 100 definitions
MAX_VALUES = 100             # an array of values MUST NOT contain more than 100 numbers
MAX_EVENT_BYTES = 256 * 1024  # an EMF event is a CloudWatch Logs event: 256 KB at most
MAX_DIMENSION_VALUE = 1024   # Dimension.Value: 1-1024 characters
MAX_NAME = 255               # Dimension.Name, MetricName, Namespace: 1-255 characters
# Namespace characters (MetricDatum / PutMetricData): alphanumerics . - _ / # : and space;
# AWS/ is reserved for AWS's own namespaces.
NAMESPACE = re.compile(r"^[0-9A-Za-z.\-_/#: ]+$")
UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
    "Terabits/Second", "Count/Second", "None",
}
# "Unless otherwise noted, objects defined by this specification MUST NOT contain any
# additional members."
METADATA_MEMBERS = {"Timestamp", "CloudWatchMetrics"}
DIRECTIVE_MEMBERS = {"Namespace", "Dimensions", "Metrics"}
DEFINITION_MEMBERS = {"Name", "Unit", "StorageResolution"}


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def emf_violations(line: str, now_ms: int | None = None) -> list[str]:
    """Every rule the log event `line` breaks (empty: a valid EMF document)."""
    if len(line.encode()) > MAX_EVENT_BYTES:
        return [f"event of {len(line.encode())} bytes exceeds {MAX_EVENT_BYTES}"]
    try:
        # The whole message is one JSON object: no data before or after it.
        root = json.loads(line)
    except ValueError as e:
        return [f"not JSON: {e}"]
    if not isinstance(root, dict):
        return ["root is not a JSON object"]
    meta = root.get("_aws")
    if not isinstance(meta, dict):
        return ["no _aws metadata object"]
    out = [f"_aws has extra member {k}" for k in set(meta) - METADATA_MEMBERS]
    ts = meta.get("Timestamp")
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    if not isinstance(ts, int) or isinstance(ts, bool):
        out.append(f"Timestamp {ts!r} is not an integer number of milliseconds")
    elif abs(now_ms - ts) > 60_000:
        # Seconds (or a stale clock) would be decades away: epoch milliseconds, now.
        out.append(f"Timestamp {ts} is not epoch milliseconds near now ({now_ms})")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        return out + ["CloudWatchMetrics is not an array"]
    for i, d in enumerate(directives):
        out += [f"directive {i}: {p}" for p in _directive_violations(root, d)]
    return out


def _directive_violations(root, d) -> list[str]:
    if not isinstance(d, dict):
        return ["not an object"]
    out = [f"extra member {k}" for k in set(d) - DIRECTIVE_MEMBERS]
    ns = d.get("Namespace")
    if not isinstance(ns, str) or not ns or len(ns) > MAX_NAME or not NAMESPACE.match(ns) or ns.startswith("AWS/"):
        out.append(f"Namespace {ns!r} is not a valid custom namespace")
    sets = d.get("Dimensions")
    if not isinstance(sets, list):
        out.append("Dimensions is not an array of DimensionSets")
        sets = []
    for s in sets:
        if not isinstance(s, list) or not all(isinstance(k, str) for k in s):
            out.append(f"DimensionSet {s!r} is not an array of strings")
            continue
        if len(s) > MAX_DIMENSIONS:
            out.append(f"DimensionSet has {len(s)} keys, more than {MAX_DIMENSIONS}")
        for k in s:
            v = root.get(k)
            # Dimension target members MUST be strings (and CloudWatch needs 1-1024 characters).
            if not isinstance(v, str) or not 1 <= len(v) <= MAX_DIMENSION_VALUE:
                out.append(f"dimension {k!r}: top-level value {v!r} is not a string of 1-{MAX_DIMENSION_VALUE}")
            if not 1 <= len(k) <= MAX_NAME or k.startswith(":"):
                out.append(f"dimension name {k!r} is not valid")
    metrics = d.get("Metrics")
    if not isinstance(metrics, list):
        return out + ["Metrics is not an array"]
    if len(metrics) > MAX_METRICS:
        out.append(f"{len(metrics)} metric definitions, more than {MAX_METRICS}")
    for m in metrics:
        if not isinstance(m, dict) or not isinstance(m.get("Name"), str) or not 1 <= len(m["Name"]) <= MAX_NAME:
            out.append(f"MetricDefinition {m!r} has no valid Name")
            continue
        out += [f"{m['Name']}: extra member {k}" for k in set(m) - DEFINITION_MEMBERS]
        if "Unit" in m and m["Unit"] not in UNITS:
            out.append(f"{m['Name']}: Unit {m['Unit']!r} is not a CloudWatch unit")
        if "StorageResolution" in m and m["StorageResolution"] not in (1, 60):
            out.append(f"{m['Name']}: StorageResolution {m['StorageResolution']!r} is not 1 or 60")
        v = root.get(m["Name"])
        # The root node MUST contain every target member the directive references: a number,
        # or an array of at most 100 numbers.
        if not (_number(v) or isinstance(v, list) and 0 < len(v) <= MAX_VALUES and all(map(_number, v))):
            out.append(f"{m['Name']}: top-level value {v!r} is not a number or an array of numbers")
    return out


def split(line: dict) -> tuple[dict, dict]:
    """(the line without its EMF members, {metric or dimension name: value, "_aws": …})."""
    meta = line.get("_aws")
    if not isinstance(meta, dict):
        return dict(line), {}
    names = {"_aws"}
    for d in meta.get("CloudWatchMetrics", []):
        names |= {m["Name"] for m in d.get("Metrics", [])}
        names |= {k for s in d.get("Dimensions", []) for k in s}
    return ({k: v for k, v in line.items() if k not in names},
            {k: v for k, v in line.items() if k in names})


def metrics(line: dict) -> dict:
    """{metric name: (value, unit)} of an EMF line; the dimensions under "dimensions"."""
    meta = line["_aws"]
    out = {}
    for d in meta["CloudWatchMetrics"]:
        out["namespace"] = d["Namespace"]
        out["dimensions"] = [{k: line[k] for k in s} for s in d["Dimensions"]]
        out.update({m["Name"]: (line[m["Name"]], m.get("Unit")) for m in d["Metrics"]})
    return out
