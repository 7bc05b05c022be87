"""Smithy RPC v2 CBOR, the protocol's side a server keeps: request values as moto takes them,
responses shaped by botocore's model of the operation, errors as the spec serializes them.

  https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
  https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait
"""

import base64
from datetime import datetime, timedelta, timezone

import cbor2

_EPOCH = datetime(1970, 1, 1)


# --- CBOR <-> moto's values ----------------------------------------------------------------------
# Spec, Shape serialization: timestamps are "tag 1 (epoch-based date/time)" with an integer or
# float; blobs byte strings; doubles floats; "Values that are null MUST be omitted".
def naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def from_cbor(value):
    """The decoded request as moto's backend takes it: naive-UTC datetimes (moto compares them
    with its naive utcnow())."""
    if isinstance(value, datetime):
        return naive_utc(value)
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return _EPOCH + timedelta(seconds=float(value.value))
    if isinstance(value, dict):
        return {k: from_cbor(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [from_cbor(v) for v in value]
    return value


def to_json(value):
    """The request as moto's JSON handler reads it (awsJson 1.0: epoch seconds, base64 blobs)."""
    if isinstance(value, datetime):
        return (value - _EPOCH).total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def _epoch(value) -> float:
    if isinstance(value, datetime):
        return (naive_utc(value) - _EPOCH).total_seconds()
    if isinstance(value, str):
        return (naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00"))) - _EPOCH).total_seconds()
    return float(value)


def to_cbor(value, shape):
    """A value shaped as the model's `shape` says, ready for cbor2."""
    kind = shape.type_name
    if kind == "structure":
        return {
            name: to_cbor(v, shape.members[name])
            for name, v in value.items()
            if name in shape.members and v is not None
        }
    if kind == "list":
        return [to_cbor(v, shape.member) for v in value]
    if kind == "map":
        return {k: to_cbor(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, round(_epoch(value), 3))
    if kind in ("double", "float"):
        return float(value)  # an int here would fail the Rust SDK's f64 read
    if kind in ("integer", "long", "short", "byte"):
        return int(value)
    if kind == "boolean":
        return value is True or str(value).lower() == "true"
    if kind == "blob":
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    return str(value)


# --- Errors ------------------------------------------------------------------------------------
# Spec, Operation error serialization: the body carries "__type", the error's "absolute shape
# ID", and its message member; the status is the shape's httpError (400 for a client error
# otherwise). For an awsQueryCompatible service (CloudWatch is one) the header
# "x-amzn-query-error: Code;Fault" carries the awsQueryError code the SDKs match on
# (aws-sdk-cloudwatch reads it first; __type names the shape, e.g.
# InvalidParameterValueException).
def _error_shape(model, code: str, operation):
    declared = operation.error_shapes if operation else []
    for shape in list(declared) + [model.shape_for(n) for n in model.shape_names]:
        meta = shape.metadata.get("error") or {}
        if shape.metadata.get("exception") and meta.get("code", shape.name) == code:
            return shape
    return None


def error_response(model, namespace: str, code: str, message: str, operation):
    shape = _error_shape(model, code, operation)
    meta = (shape.metadata.get("error") or {}) if shape else {}
    status = int(meta.get("httpStatusCode") or 400)
    member = next((m for m in (shape.members if shape else []) if m.lower() == "message"), "message")
    body = {"__type": f"{namespace}#{shape.name if shape else code}", member: message}
    fault = "Sender" if meta.get("senderFault", status < 500) else "Receiver"
    return status, body, [("x-amzn-query-error", f"{code};{fault}")]
