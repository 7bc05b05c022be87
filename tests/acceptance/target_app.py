"""The endpoint behind the scaffolding's internal ALB: a non-VPC Lambda function (ALB target).

It plays the tutorial's app: checks the `api-key` header against the relay's own secret, read
from Secrets Manager by ARN at run time (SECRET_ARN names it; the key itself is never in the
environment, argv or a log line), and answers 200 {"success": true, "message": "Event id X
received."}. With REFUSE=1 in its environment it answers 200 {"success": false} — the tutorial
app's refusal — so the scenario can make an event fail and later heal the endpoint.

Inlined into a zip by scaffold.py; standard library and boto3 only (Lambda's Python runtime).
"""

import base64
import hmac
import json
import os

import boto3

_sm = boto3.client("secretsmanager")
_key = [None]


def _secret(refresh=False):
    if refresh or _key[0] is None:
        _key[0] = _sm.get_secret_value(SecretId=os.environ["SECRET_ARN"])["SecretString"]
    return _key[0]


def _answer(status, body):
    reason = {200: "OK", 401: "Unauthorized", 503: "Service Unavailable"}[status]
    return {"statusCode": status, "statusDescription": f"{status} {reason}",
            "isBase64Encoded": False, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}


def handler(event, context):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode(errors="replace")
    try:
        detail = (json.loads(raw) or {}).get("detail") or {}
    except ValueError:
        detail = {}
    eid = detail.get("event-id") if isinstance(detail, dict) else None
    if not os.environ.get("SECRET_ARN"):
        print(json.dumps({"event-id": eid, "outcome": "no-secret-configured"}))
        return _answer(503, {"success": False, "message": "no secret configured"})
    given = headers.get("api-key", "")
    # A rotated key: read it again once before refusing.
    if not hmac.compare_digest(given, _secret()) and not hmac.compare_digest(given, _secret(refresh=True)):
        print(json.dumps({"event-id": eid, "outcome": "unauthorized"}))
        return _answer(401, {"success": False, "message": "unauthorized"})
    # The relay's Idempotency-Key (not a secret): a pair's replay must repeat it.
    key = headers.get("idempotency-key")
    if os.environ.get("REFUSE") == "1":
        print(json.dumps({"event-id": eid, "outcome": "refused", "idempotency-key": key}))
        return _answer(200, {"success": False, "message": f"Event id {eid} could not be processed."})
    print(json.dumps({"event-id": eid, "outcome": "accepted", "idempotency-key": key}))
    return _answer(200, {"success": True, "message": f"Event id {eid} received."})
