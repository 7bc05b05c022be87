"""CloudWatch GetMetricData computed from moto's stored datapoints, the way the CloudWatch API
reference describes it. moto's own get_metric_data ignores the namespace once dimensions are
given, matches a subset of dimensions, knows no percentiles, aligns nothing and never pages; the
CBOR front (strict/cloudwatch.py) answers GetMetricData from here instead.

Pages cited:
  GetMetricData  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
  MetricDataQuery https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html
  MetricStat     https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html
  Statistics     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
  Percentiles    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles
"""

import math
import re
import threading
import uuid
from datetime import datetime, timedelta

from moto.cloudwatch.exceptions import CloudWatchException
from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum
from moto.core.utils import utcnow


class CloudWatchError(CloudWatchException):
    """An error as the CloudWatch model names it (its awsQueryError code). A moto service
    exception, so moto's JSON/query handlers render it for boto3 too; the CBOR front turns it
    into the rpcv2Cbor error shape and status."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message)


# --- GetMetricData's request rules ----------------------------------------------------------
# GetMetricData page: "A GetMetricData operation that does not include a query can retrieve as
# many as 500 different metrics in a single request" (MetricDataQueries: "as many as 500
# MetricDataQuery structures"). MetricDataQuery page, Id: "The first character must be a
# lower-case letter"; "Valid characters are letters, numbers, and underscore"; length 1-255; Ids
# are unique within a request. MetricStat page, Period: "For metrics with regular resolution, a
# period can be as short as one minute (60 seconds) and must be a multiple of 60. For
# high-resolution metrics ... the period can be 1, 5, 10, 20, 30, 60, or any multiple of 60."
# moto checks none of these.
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
_ID = re.compile(r"^[a-z][A-Za-z0-9_]{0,254}$")
_HIGH_RES_PERIODS = (1, 5, 10, 20, 30)
_BASIC_STATS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$")


def _invalid(message: str) -> CloudWatchError:
    return CloudWatchError("InvalidParameterValue", message)


def validate_queries(queries: list, start: datetime, end: datetime) -> None:
    if not queries:
        raise CloudWatchError("MissingParameter", "The parameter MetricDataQueries is required.")
    if len(queries) > MAX_QUERIES:
        raise _invalid(
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )
    # The same messages moto's own GetMetricData gives, as ValidationError.
    if start > end:
        raise CloudWatchError("ValidationError", "The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise CloudWatchError("ValidationError", "The parameter StartTime must not equal parameter EndTime.")
    seen = set()
    for n, query in enumerate(queries, 1):
        qid = query.get("Id") or ""
        if not _ID.match(qid):
            raise _invalid(
                f"The value {qid} for parameter MetricDataQueries.member.{n}.Id is invalid: it "
                "must start with a lower-case letter and hold only letters, numbers and underscores."
            )
        if qid in seen:
            raise _invalid(f"The value {qid} for parameter MetricDataQueries.member.{n}.Id is not unique.")
        seen.add(qid)
        has_stat, has_expr = "MetricStat" in query, "Expression" in query
        if has_stat == has_expr:
            raise _invalid(
                f"Exactly one of MetricDataQueries.member.{n}.MetricStat and "
                f"MetricDataQueries.member.{n}.Expression must be specified."
            )
        if has_stat:
            stat = query["MetricStat"]
            period = int(stat.get("Period") or 0)
            if period < 60 and period not in _HIGH_RES_PERIODS:
                raise _invalid(
                    f"The parameter MetricDataQueries.member.{n}.MetricStat.Period must be a value "
                    "in the set [ 1, 5, 10, 20, 30 ] or a multiple of 60."
                )
            if period >= 60 and period % 60:
                raise _invalid(
                    f"The parameter MetricDataQueries.member.{n}.MetricStat.Period must be a "
                    "multiple of 60."
                )
            statistic(stat.get("Stat") or "", [])  # an unknown statistic is refused up front


# --- Statistics --------------------------------------------------------------------------------
# Statistics page: SampleCount, Sum, Average, Minimum, Maximum, and pNN.NN percentiles. The
# Percentiles section: "Percentile statistics are not available for metrics when any of the
# metric values are negative numbers", and from a statistic set only when "the SampleCount
# value of the statistic set is 1 and Min, Max, and Sum are all equal" or "Min and Max are
# equal, and Sum is equal to Min multiplied by SampleCount". CloudWatch does not publish its
# percentile estimator; this one is nearest-rank over the exact values (CloudWatch's is
# approximate), so a test asserts values it can reason about, not CloudWatch's rounding.
def statistic(stat: str, data: list):
    """The statistic over one period's datapoints, or None when it has no value there."""
    if stat not in _BASIC_STATS and not _PERCENTILE.match(stat):
        if re.match(r"^(tm|wm|tc|ts|TM|WM|TC|TS|PR|IQM)", stat):
            raise _invalid(f"The statistic {stat} is valid on AWS; the emulator does not compute it.")
        raise _invalid(f"The value {stat} for parameter Stat is not supported.")
    singles = [d.value for d in data if isinstance(d, MetricDatum)]
    sets = [d for d in data if isinstance(d, MetricAggregatedDatum)]
    count = len(singles) + sum(s.sample_count for s in sets)
    if not count:
        return None
    total = sum(singles) + sum(s.sum for s in sets)
    if stat == "SampleCount":
        return float(count)
    if stat == "Sum":
        return float(total)
    if stat == "Average":
        return total / count
    if stat == "Minimum":
        return float(min(singles + [s.min for s in sets]))
    if stat == "Maximum":
        return float(max(singles + [s.max for s in sets]))
    values = list(singles)
    for s in sets:
        if s.min != s.max or s.sum != s.min * s.sample_count:
            return None
        values += [s.min] * int(s.sample_count)
    if any(v < 0 for v in values):
        return None
    values.sort()
    rank = max(1, math.ceil(float(stat[1:]) / 100 * len(values)))
    return float(values[rank - 1])


# --- Which stored datapoints a MetricStat names ------------------------------------------------
# MetricStat page: a metric is its namespace, name and dimensions ("If a metric has multiple
# dimensions, you must specify all of them"), and "In a Get operation, if you omit Unit then all
# data that was collected with any unit is returned".
def matches(datum, metric: dict, unit) -> bool:
    if datum.namespace != metric.get("Namespace") or datum.name != metric.get("MetricName"):
        return False
    wanted = {(d["Name"], d["Value"]) for d in metric.get("Dimensions") or []}
    if {(d.name, d.value) for d in datum.dimensions} != wanted:
        return False
    return not unit or datum.unit == unit


# --- Time alignment and retention ----------------------------------------------------------------
# GetMetricData page, StartTime: "Start time less than 15 days ago - Round down to the nearest
# whole minute"; "between 15 and 63 days ago - Round down to the nearest 5-minute clock
# interval"; "greater than 63 days ago - Round down to the nearest 1-hour clock interval"; "If
# you set Period to 5, 10, 20, or 30, the start time of your request is rounded down to the
# nearest time that corresponds to even 5-, 10-, 20-, or 30-second divisions of a minute".
# MetricStat page, Period: "If the StartTime parameter specifies a time stamp that is greater
# than 3 hours ago, you must specify the period as follows or no data points in that time range
# is returned": a multiple of 60 (3 hours to 15 days), of 300 (15 to 63 days), of 3600 (older).
def _floor(t: datetime, seconds: int) -> datetime:
    epoch = datetime(1970, 1, 1)
    return epoch + timedelta(seconds=(int((t - epoch).total_seconds()) // seconds) * seconds)


def aligned_start(start: datetime, period: int, now: datetime) -> datetime:
    age = now - start
    if period in _HIGH_RES_PERIODS:
        return _floor(start, period)
    if age > timedelta(days=63):
        return _floor(start, 3600)
    if age > timedelta(days=15):
        return _floor(start, 300)
    return _floor(start, 60)


def retained(start: datetime, period: int, now: datetime) -> bool:
    age = now - start
    if age > timedelta(days=63):
        return period % 3600 == 0
    if age > timedelta(days=15):
        return period % 300 == 0
    if age > timedelta(hours=3):
        return period % 60 == 0
    return True


def series(all_data: list, query: dict, start: datetime, end: datetime, now: datetime):
    """One MetricStat query's (timestamps, values), oldest first."""
    stat = query["MetricStat"]
    period = int(stat["Period"])
    if not retained(start, period, now):
        return [], []
    begin = aligned_start(start, period, now)
    points = [
        d for d in all_data if begin <= d.timestamp < end and matches(d, stat["Metric"], stat.get("Unit"))
    ]
    buckets: dict = {}
    for d in points:
        k = int((d.timestamp - begin).total_seconds()) // period
        buckets.setdefault(k, []).append(d)
    stamps, values = [], []
    for k in sorted(buckets):
        value = statistic(stat["Stat"], buckets[k])
        if value is not None:
            stamps.append(begin + timedelta(seconds=k * period))
            values.append(value)
    return stamps, values


# --- Paging ----------------------------------------------------------------------------------
# GetMetricData page: MaxDatapoints "The maximum number of data points the request should
# return before paginating. If you omit this, the default of 100,800 is used"; NextToken
# "Include this value, if it was returned by the previous GetMetricData operation, to get the
# next set of data points"; StatusCode PartialData when "more data is available" (a NextToken
# comes with it); an unknown token is InvalidNextToken.
_tokens: dict = {}
_tokens_lock = threading.Lock()


def get_metric_data(backend, params: dict) -> dict:
    queries = params.get("MetricDataQueries") or []
    start, end = params["StartTime"], params["EndTime"]
    validate_queries(queries, start, end)
    now = utcnow()
    resume = (0, 0)  # (query index, datapoints of that query already delivered)
    if params.get("NextToken"):
        with _tokens_lock:
            resume = _tokens.pop(params["NextToken"], None)
        if resume is None:
            raise CloudWatchError("InvalidNextToken", "The service returned an invalid next token.")
    budget = int(params.get("MaxDatapoints") or MAX_DATAPOINTS)
    descending = (params.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    all_data = backend.get_all_metrics()
    # Metric math is moto's (it returns empty series for most expressions, see moto.md).
    maths = (
        backend.get_metric_data(queries=queries, start_time=start, end_time=end)
        if any("Expression" in q for q in queries)
        else []
    )
    shown_queries = [q for q in queries if q.get("ReturnData") is not False]
    results, token = [], None
    for index in range(resume[0], len(shown_queries)):
        query = shown_queries[index]
        if "MetricStat" in query:
            stamps, values = series(all_data, query, start, end, now)
            label = query.get("Label") or query["MetricStat"]["Metric"].get("MetricName")
        else:
            found = next(r for r in maths if r["id"] == query["Id"])
            stamps, values, label = found["timestamps"], found["values"], found["label"]
        pairs = list(zip(stamps, values))
        if descending:
            pairs.reverse()
        done = resume[1] if index == resume[0] else 0
        if budget == 0 and len(pairs) > done:
            token = (index, done)
            break
        shown = pairs[done : done + budget]
        budget -= len(shown)
        partial = done + len(shown) < len(pairs)
        results.append(
            {
                "Id": query["Id"],
                "Label": label,
                "Timestamps": [t for t, _ in shown],
                "Values": [v for _, v in shown],
                "StatusCode": "PartialData" if partial else "Complete",
            }
        )
        if partial:
            token = (index, done + len(shown))
            break
    out = {"MetricDataResults": results, "Messages": []}
    if token is not None:
        out["NextToken"] = uuid.uuid4().hex
        with _tokens_lock:
            _tokens[out["NextToken"]] = token
    return out
