# evrelay relay: POSTs each EventBridge event to TARGET_URL inside the VPC.
# Contract (env vars, response event, failure and log formats): README.md.
#
# This file is inlined into the CloudFormation template's ZipFile after dropping
# blank lines and full-line comments, and must then stay within 4,096 characters:
# comments are free, code is not. Hence: no docstrings, no multi-line strings,
# no line starting with "#" inside a string literal, and no "${" anywhere.
import json
import os
import time
import boto3
import urllib3
from botocore.config import Config
E = os.environ
# One pool per container: keep-alive to the endpoint survives across warm
# invocations. Certificates verified against the system store (no certifi).
HTTP = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
# Fail fast on AWS calls too (a missing NAT / VPC endpoint shows up as a
# connect timeout, not a hang until the function times out). The numbers come
# from the template (src/budget.rs adds them up against the function timeout):
# this file's defaults are the template's.
def _n(k, d):
    return float(E.get(k) or d)
CFG = Config(connect_timeout=_n("AWS_CONNECT_TIMEOUT_SECONDS", 2), read_timeout=_n("AWS_READ_TIMEOUT_SECONDS", 3), retries={"mode": "standard", "total_max_attempts": int(_n("AWS_MAX_ATTEMPTS", 2))})
_clients = {}
# [api key, monotonic time it was read]
_key = [None, 0.0]
class RelayError(Exception):
    pass
def _client(n):
    # Created once per container, on first use (inside the handler).
    if n not in _clients:
        _clients[n] = boto3.client(n, config=CFG)
    return _clients[n]
def _secret(refresh=False):
    if refresh or _key[0] is None or time.monotonic() - _key[1] > _n("SECRET_TTL_SECONDS", 300):
        # Stripped: HTTP drops surrounding whitespace anyway; a stray newline
        # would make the header invalid (and the error message would quote the key).
        _key[:] = [_client("secretsmanager").get_secret_value(SecretId=E["SECRET_ID"])["SecretString"].strip(), time.monotonic()]
    return _key[0]
def _mask(s):
    return s.replace(_key[0], "***") if _key[0] else s
def _clean(s):
    # Never the key (masked before cutting, so no part of it survives the cut),
    # single-line, short.
    return " ".join(_mask(str(s)).split())[:160]
# TARGET_URL -> (its connection pool in HTTP, request path). PoolManager.request
# re-parses the URL and looks the pool up on every call (~60 us of CPU per event
# measured here): resolve both once per container.
_pools = {}
def _post(body):
    # Returns the response; raises urllib3 errors (timeout, refused, ...) as is.
    u = E["TARGET_URL"]
    # TARGET_HOST: connect to the URL's address, but send this Host and, over
    # HTTPS, use it for SNI and to verify the certificate (an ALB's own DNS name
    # is on no certificate, and host-routed listeners route by Host). The TLS
    # settings only for https (u[4]: the template allows http:// and https://
    # only), as urllib3 1.26 would hand them to a plain HTTP connection.
    n = E.get("TARGET_HOST")
    if u not in _pools:
        _pools[u] = (HTTP.connection_from_url(u, pool_kwargs=u[4] == "s" and n and dict(server_hostname=n, assert_hostname=n)), urllib3.util.parse_url(u).request_uri)
    p, path = _pools[u]
    t = urllib3.Timeout(connect=_n("CONNECT_TIMEOUT_SECONDS", 3), read=_n("READ_TIMEOUT_SECONDS", 10))
    h = {"content-type": "application/json", "user-agent": "evrelay-relay/1", E.get("AUTH_HEADER_NAME", "api-key"): _secret()}
    if n:
        h["host"] = n
    # retries=False: Lambda retries, not urllib3. Redirects are not followed
    # (the key must not travel to another host): a 3xx is a failure.
    return p.urlopen("POST", path, body=body, headers=h, timeout=t, retries=False, redirect=False)
def _parse(r):
    t = r.data.decode(errors="replace")
    try:
        return t, json.loads(t)
    except ValueError:
        return t, t
def _refused(r):
    # The key was refused: a 401/403, or the tutorial app's own way of saying so
    # (HTTP 200 with "success": false).
    j = _parse(r)[1]
    return r.status in (401, 403) or isinstance(j, dict) and j.get("success") is False
def handler(event, context):
    d = event.get("detail")
    d = d if isinstance(d, dict) else {}
    log = {"event-id": d.get("event-id"), "request-id": event.get("id"), "status": None, "latency-ms": None, "outcome": "failed", "reason": None}
    t0 = time.monotonic()
    try:
        body = json.dumps(event).encode()
        try:
            r = _post(body)
            # The key may have been rotated: read it again and, only if it changed,
            # POST once more (the same key again would only duplicate the request).
            if _refused(r) and _key[0] != _secret(refresh=True):
                r = _post(body)
        except urllib3.exceptions.HTTPError as e:
            # e.g. "ReadTimeoutError: Read timed out. (read timeout=0.5)",
            # "NewConnectionError: [Errno 111] Connection refused"
            raise RelayError("%s: %s" % (type(e).__name__, str(e).rsplit(": ", 1)[-1]))
        log["latency-ms"] = int((time.monotonic() - t0) * 1000)
        log["status"] = r.status
        text, resp = _parse(r)
        if not 200 <= r.status < 300:
            raise RelayError("%s %s" % (r.reason or "HTTP error", text))
        if _refused(r):
            raise RelayError("success false: " + text)
        log["outcome"] = "delivered"
        if d.get("return-response-event") is True:
            # Delivery already happened: a failed response event is logged,
            # not raised (raising would make Lambda POST the event again).
            # An endpoint echoing the key does not get it published on the bus.
            detail = {k: log[k] for k in ("request-id", "event-id", "status", "latency-ms")}
            detail["response"] = resp
            try:
                out = _client("events").put_events(Entries=[{"Source": E.get("RESPONSE_SOURCE", "evrelay.relay"), "DetailType": "outbound-event-sent", "Detail": _mask(json.dumps(detail)), "EventBusName": E["EVENT_BUS_NAME"]}])
                if out.get("FailedEntryCount"):
                    e = out["Entries"][0]
                    log["reason"] = _clean("response event not sent: %s %s" % (e.get("ErrorCode"), e.get("ErrorMessage")))
            except Exception as e:
                log["reason"] = _clean("response event not sent: %s: %s" % (type(e).__name__, e))
        return {"status": r.status}
    except Exception as e:
        # Every failure leaves as RelayError in the contract's format.
        log["reason"] = _clean(e if isinstance(e, RelayError) else "%s: %s" % (type(e).__name__, e))
        raise RelayError("event %s: %s: %s" % (event.get("id"), log["status"] or "no response", log["reason"])) from None
    finally:
        if log["latency-ms"] is None:
            log["latency-ms"] = int((time.monotonic() - t0) * 1000)
        print(json.dumps(log))
