"""CloudWatch over Smithy RPC v2 CBOR, the protocol aws-sdk-cloudwatch speaks, which moto_server
answers with 404 (getmoto/moto#9195). A request to /service/GraniteServiceVersion20100801/
operation/<Op> is decoded from CBOR, served by moto's CloudWatch backend (through moto's own
JSON handler, so validation and IAM-action recording stay moto's) or by the stricter code here,
and answered in CBOR shaped by the operation's output shape in botocore's CloudWatch model.

  Protocol: https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
  Query-compatible errors: https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait
  API: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/ (one page per operation)

boto3 keeps working unchanged: botocore 1.44 sends CloudWatch as JSON (X-Amz-Target), which moto
serves itself; the strict rules below that patch moto's backend apply to both.
"""

import functools
import gzip
import io
import json
import math
import os
import re
import sys
import threading
import uuid
from datetime import datetime, timedelta

from botocore.session import get_session
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.core.exceptions import ServiceException
from moto.core.utils import utcnow
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from strict import cloudwatch_alarms  # noqa: F401  (AWS::CloudWatch::Alarm, evaluation)
from strict.cloudwatch_data import CloudWatchError, get_metric_data
from strict.recording import RECORD_ENV

try:
    import cbor2

    from strict.rpcv2cbor import error_response, from_cbor, to_cbor, to_json
except ImportError:  # a venv older than tests/requirements.txt's cbor2 pin
    cbor2 = None

SERVICE = "GraniteServiceVersion20100801"
NAMESPACE = "com.amazonaws.cloudwatch"


@functools.lru_cache(maxsize=None)
def _model():
    # Loaded on the first CBOR request: every test's emulator imports this module.
    return get_session().get_service_model("cloudwatch")


# Spec, Requests: "{prefix?}/service/{serviceName}/operation/{operationName}", routed on the
# last four segments; a service "SHOULD accept an absolute shape ID" with "#" written ".".
_ROUTE = re.compile(rf"^(?:/.*)?/service/(?:{re.escape(NAMESPACE)}\.)?{SERVICE}/operation/([^/]+)$")


# --- Serving one request --------------------------------------------------------------------------
_record_lock = threading.Lock()


def _record(op: str) -> None:
    # strict/recording.py records what moto serves; an operation answered here alone (not
    # through _moto_json) never reaches moto, so it is recorded here.
    path = os.environ.get(RECORD_ENV)
    if path:
        with _record_lock, open(path, "a", encoding="utf-8") as out:
            out.write(f"cloudwatch:{op}\n")


def _moto_json(app, environ, op: str, params: dict):
    """moto's own CloudWatch JSON handler, called in-process: its parsed output, or its error
    raised as a CloudWatchError."""
    body = json.dumps(to_json(params)).encode()
    env = {k: v for k, v in environ.items() if k not in ("HTTP_SMITHY_PROTOCOL", "HTTP_CONTENT_ENCODING")}
    env.update(
        PATH_INFO="/", RAW_URI="/", REQUEST_URI="/", QUERY_STRING="",
        CONTENT_TYPE="application/x-amz-json-1.0", CONTENT_LENGTH=str(len(body)),
        HTTP_X_AMZ_TARGET=f"{SERVICE}.{op}", HTTP_ACCEPT="application/json",
    )
    env["wsgi.input"] = io.BytesIO(body)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), headers

    chunks = _moto_call(app, env, start_response)
    try:
        raw = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    try:
        parsed = json.loads(raw) if raw.strip() else {}
    except ValueError:  # moto crashed: its HTML error page
        raise CloudWatchError("InternalServiceError", f"moto answered {answer['status']}") from None
    if answer["status"] >= 300:
        code = dict((k.lower(), v) for k, v in answer["headers"]).get("x-amzn-query-error", "")
        code = code.split(";")[0] or str(parsed.get("__type", "InternalServiceError")).split("#")[-1]
        raise CloudWatchError(code, parsed.get("message") or parsed.get("Message") or "")
    return parsed


def region_and_account(environ) -> tuple:
    """As moto's BaseResponse finds them: the SigV4 credential scope's region; MOTO_ACCOUNT_ID,
    the x-moto-account-id header or the access key's account."""
    from moto.iam.models import get_account_id_from

    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = re.search(r"Credential=([^/]+)/[^/]+/([^/]+)/", auth)
    region = scope.group(2) if scope else "us-east-1"
    account = os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    return region, account or get_account_id_from(scope.group(1) if scope else "AKIAEXAMPLE")


HANDLERS: dict = {}  # operation -> handler(app, environ, backend, params) -> output dict


def handler(op):
    def register(fn):
        HANDLERS[op] = fn
        return fn

    return register


def _error(code: str, message: str, operation):
    return error_response(_model(), NAMESPACE, code, message, operation)


def _serve(app, environ, op_name: str):
    operation = _model().operation_model(op_name) if op_name in _model().operation_names else None
    if operation is None:
        # Spec: the operation segment names an operation of the service; anything else is unknown.
        return _error("UnknownOperationException", f"Unknown operation {op_name}", None)
    length = environ.get("CONTENT_LENGTH")
    if length:
        raw = environ["wsgi.input"].read(int(length))
    else:  # chunked: werkzeug hands over a terminated stream
        raw = environ["wsgi.input"].read() if environ.get("wsgi.input_terminated") else b""
    try:
        # PutMetricData carries @requestCompression (gzip): the SDKs compress bodies over 10 KiB.
        if "gzip" in environ.get("HTTP_CONTENT_ENCODING", ""):
            raw = gzip.decompress(raw)
        params = from_cbor(cbor2.loads(raw)) if raw else {}
    except (OSError, EOFError, ValueError, cbor2.CBORDecodeError) as e:
        return _error("SerializationException", f"The request body could not be read: {e}", operation)
    try:
        region, account = region_and_account(environ)
        backend = cloudwatch_backends[account][region]
        if op_name in HANDLERS:
            output = HANDLERS[op_name](app, environ, backend, params)
        else:
            output = _moto_json(app, environ, op_name, params)
    except ServiceException as e:  # CloudWatchError included
        return _error(e.code, e.message, operation)
    if operation.output_shape is None:
        return 200, None, []
    return 200, to_cbor(output, operation.output_shape), []


def _cbor_call(self, environ, start_response):
    match = _ROUTE.match(environ.get("PATH_INFO", ""))
    if not match or environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
        return _moto_call(self, environ, start_response)
    if environ.get("HTTP_X_AMZ_TARGET") or environ.get("HTTP_X_AMZN_TARGET"):
        # Spec, Requests: "An rpcv2Cbor request is malformed if it contains either of these
        # headers. Server-side implementations MUST reject such requests".
        status, body, extra = _error("MalformedRequest", "X-Amz-Target on an rpcv2Cbor request", None)
    else:
        status, body, extra = _serve(self, environ, match.group(1))
    # Spec, Responses: every response carries "Smithy-Protocol: rpc-v2-cbor"; an operation
    # without output has no body and no Content-Type.
    headers = [("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-requestid", str(uuid.uuid4()))] + extra
    payload = b"" if body is None else cbor2.dumps(body)
    if body is not None:
        headers.append(("Content-Type", "application/cbor"))
    headers.append(("Content-Length", str(len(payload))))
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}.get(status, "Error")
    start_response(f"{status} {reason}", headers)
    return [payload]


# moto's dispatcher as it was before this module: what a request that is not CloudWatch CBOR,
# and the JSON call a CBOR request is turned into, go through.
_moto_call = DomainDispatcherApplication.__call__
if cbor2 is not None:
    DomainDispatcherApplication.__call__ = _cbor_call
else:
    # Every emulator imports this module: without cbor2 the rest of the emulator still runs,
    # and CloudWatch's CBOR requests get moto's 404, as before.
    print(
        "strict emulator: cbor2 is not installed, so CloudWatch over CBOR answers 404: run "
        "bash tests/setup.sh to install the pinned tools",
        file=sys.stderr,
    )


# --- GetMetricData ---------------------------------------------------------------------------
@handler("GetMetricData")
def _get_metric_data(app, environ, backend, params):
    _record("GetMetricData")
    return get_metric_data(backend, params)


# --- PutMetricData: the API's limits ------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html:
# "Each request is also limited to no more than 1000 different metrics"; Values: "up to 150
# values per PutMetricData action"; values "must be in the range of -2^360 to 2^360. In
# addition, special values (for example, NaN, +Infinity, -Infinity) are not supported";
# MetricDatum.Dimensions: up to 30; and "the time stamp can be up to two weeks in the past and
# up to two hours into the future". moto refuses only NaN and mismatched Values/Counts. Checked
# in moto's backend, so boto3's JSON requests meet them too.
def check_put_metric_data(data: list, now: datetime) -> None:
    if len(data) > 1000:
        raise CloudWatchError(
            "InvalidParameterValue", "The collection MetricData must not have a size greater than 1000."
        )
    for n, datum in enumerate(data, 1):
        values = datum.get("Values") or []
        if len(values) > 150:
            raise CloudWatchError(
                "InvalidParameterValue",
                f"The collection MetricData.member.{n}.Values must not have a size greater than 150.",
            )
        for value in [float(v) for v in values] + ([float(datum["Value"])] if "Value" in datum else []):
            if not math.isfinite(value) or abs(value) > 2.0**360:
                raise CloudWatchError(
                    "InvalidParameterValue",
                    f"The value {value} for parameter MetricData.member.{n}.Value is invalid.",
                )
        if len(datum.get("Dimensions") or []) > 30:
            raise CloudWatchError(
                "InvalidParameterValue",
                f"The collection MetricData.member.{n}.Dimensions must not have a size greater than 30.",
            )
        stamp = datum.get("Timestamp")  # naive UTC from both moto's JSON parsing and from_cbor
        if isinstance(stamp, datetime) and not (
            now - timedelta(days=14) <= stamp.replace(tzinfo=None) <= now + timedelta(hours=2)
        ):
            raise CloudWatchError(
                "InvalidParameterValue",
                f"The parameter MetricData.member.{n}.Timestamp must specify a time no more than "
                "two weeks in the past and no more than two hours in the future.",
            )


_backend_put_metric_data = CloudWatchBackend.put_metric_data


def _checked_put_metric_data(self, namespace, metric_data):
    check_put_metric_data(metric_data, utcnow())
    return _backend_put_metric_data(self, namespace, metric_data)


CloudWatchBackend.put_metric_data = _checked_put_metric_data


# Namespace: "You cannot specify a namespace that begins with 'AWS/'". This binds every caller
# but AWS itself. The sandbox plays AWS/Events, AWS/Lambda and AWS/SQS with boto3 (the JSON
# protocol, which never passes here); a Rust test that seeds AWS's metrics says it plays AWS
# with the header below on its own request, so evrelay's requests, which never carry it, stay
# held to the rule.
PLAYS_AWS_HEADER = "x-evrelay-emulator-plays-aws"


@handler("PutMetricData")
def _put_metric_data(app, environ, backend, params):
    plays_aws = environ.get("HTTP_" + PLAYS_AWS_HEADER.upper().replace("-", "_")) == "true"
    if (params.get("Namespace") or "").startswith("AWS/") and not plays_aws:
        raise CloudWatchError(
            "InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid."
        )
    return _moto_json(app, environ, "PutMetricData", params)


# --- DescribeAlarms: filters combine, metric alarms by default, pages ----------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html:
# AlarmNames (at most 100) and AlarmNamePrefix ("If this parameter is specified, you cannot
# specify AlarmNames"); StateValue and ActionPrefix narrow the result further; AlarmTypes: "If you
# omit this parameter, only metric alarms are returned, even if composite alarms exist";
# MaxRecords 1-100 (default 50) with NextToken. moto applies only the first filter it finds and
# never pages.
_alarm_tokens: dict = {}


@handler("DescribeAlarms")
def _describe_alarms(app, environ, backend, params):
    names, prefix = params.get("AlarmNames") or [], params.get("AlarmNamePrefix")
    if names and prefix:
        raise CloudWatchError(
            "InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be used together."
        )
    if len(names) > 100:
        raise CloudWatchError(
            "InvalidParameterValue", "The collection AlarmNames must not have a size greater than 100."
        )
    page = int(params.get("MaxRecords") or 50)
    if not 1 <= page <= 100:
        raise CloudWatchError("InvalidParameterValue", f"The value {page} for parameter MaxRecords is invalid.")
    everything = _moto_json(app, environ, "DescribeAlarms", {})
    types = params.get("AlarmTypes") or ["MetricAlarm"]

    def keep(alarm):
        return (
            (not names or alarm["AlarmName"] in names)
            and (not prefix or alarm["AlarmName"].startswith(prefix))
            and (not params.get("StateValue") or alarm["StateValue"] == params["StateValue"])
            and (
                not params.get("ActionPrefix")
                or any(a.startswith(params["ActionPrefix"]) for a in alarm.get("AlarmActions") or [])
            )
        )

    found = [("MetricAlarms", a) for a in everything.get("MetricAlarms") or [] if keep(a)]
    found += [("CompositeAlarms", a) for a in everything.get("CompositeAlarms") or [] if keep(a)]
    found = [(kind, a) for kind, a in found if kind[:-1] in types]
    start = 0
    if params.get("NextToken"):
        start = _alarm_tokens.pop(params["NextToken"], None)
        if start is None:
            raise CloudWatchError("InvalidNextToken", "The service returned an invalid next token.")
    out = {"MetricAlarms": [], "CompositeAlarms": []}
    for kind, alarm in found[start : start + page]:
        out[kind].append(alarm)
    if start + page < len(found):
        out["NextToken"] = uuid.uuid4().hex
        _alarm_tokens[out["NextToken"]] = start + page
    return out


# --- ListMetrics: each metric once -------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html ("List
# the specified metrics"; a metric is its namespace, name and dimensions, listed once however
# many datapoints it has). moto repeats a metric without dimensions once per datapoint.
@handler("ListMetrics")
def _list_metrics(app, environ, backend, params):
    listed = _moto_json(app, environ, "ListMetrics", params)
    seen, unique = set(), []
    for metric in listed.get("Metrics") or []:
        key = (
            metric.get("Namespace"),
            metric.get("MetricName"),
            tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions") or [])),
        )
        if key not in seen:
            seen.add(key)
            unique.append(metric)
    listed["Metrics"] = unique
    return listed
