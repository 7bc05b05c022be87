"""evrelay relay: POST each EventBridge event to TARGET_URL inside the VPC.

One invocation: read the API key (cached), POST the event, decide whether it was delivered,
publish the response event when the event asks for one, print one log line. Buffered delivery
hands it an SQS batch instead: the same for each record's event, in turn. The contract
(environment, headers, response event, failures, log line) is README.md beside this file;
`evrelay template` inlines this file unchanged into the template's Code.ZipFile.

Every network step is bounded by one deadline: the time Lambda gives the invocation minus
DEADLINE_MARGIN_SECONDS. If Lambda killed the invocation after the POST went out, its retry
would POST the event again; so a POST that could not finish before the deadline is not
started, and after a delivered POST the invocation returns before the deadline.
"""

import json
import os
import socket
import time

import boto3
import urllib3
from botocore.config import Config


def _seconds(name, default):
    """A number of seconds from the environment (the template sets them all)."""
    return float(os.environ.get(name) or default)


# The defaults are the template's; src/budget.rs adds the same numbers up against the
# function timeout, so the operator's check and these timeouts cannot drift apart.
CONNECT_TIMEOUT = _seconds("CONNECT_TIMEOUT_SECONDS", 3)
READ_TIMEOUT = _seconds("READ_TIMEOUT_SECONDS", 10)
AWS_CONNECT_TIMEOUT = _seconds("AWS_CONNECT_TIMEOUT_SECONDS", 2)
AWS_READ_TIMEOUT = _seconds("AWS_READ_TIMEOUT_SECONDS", 3)
AWS_MAX_ATTEMPTS = int(_seconds("AWS_MAX_ATTEMPTS", 2))
SECRET_TTL = _seconds("SECRET_TTL_SECONDS", 300)
DEADLINE_MARGIN = _seconds("DEADLINE_MARGIN_SECONDS", 5)

AUTH_HEADER = os.environ.get("AUTH_HEADER_NAME") or "api-key"
IDEMPOTENCY_HEADER = os.environ.get("IDEMPOTENCY_HEADER_NAME") or "Idempotency-Key"
# A re-sent event (`evrelay dlq redrive`) carries its original key here: EventBridge gives
# every PutEvents a new id, and the endpoint must see the first delivery's key again.
IDEMPOTENCY_FIELD = "idempotency-key"
# PEM certificates of private CAs (ACM Private CA, a corporate CA) trusted besides the system
# store, for an endpoint whose certificate no public CA issued. The host name is still verified.
CA_BUNDLE = os.environ.get("CA_BUNDLE") or ""
RESPONSE_SOURCE = os.environ.get("RESPONSE_SOURCE") or "evrelay.relay"
RESPONSE_DETAIL_TYPE = "outbound-event-sent"
USER_AGENT = "evrelay-relay/1"

# PutEvents refuses an entry of 256 KB or more (Source + DetailType + Detail, UTF-8 bytes;
# EventBridge User Guide, "Calculating PutEvents event entry size"). 1 KiB spare.
MAX_ENTRY_BYTES = 256 * 1024 - 1024
REASON_CHARS = 160
# An AWS call with less time than this is not started (it could only time out).
MIN_AWS_CALL_SECONDS = 1.0
# botocore's standard retry mode sleeps up to min(2^(k-1), 20) s before retry k, plus up to
# 5 s more for a retry-after header (botocore/retries/standard.py; src/budget.rs).
MAX_BACKOFF, RETRY_AFTER_EXTRA = 20, 5


class RelayError(Exception):
    """The one error the handler raises; Lambda retries it, then writes the DLQ record."""


class NoResponse(RelayError):
    """The POST went out (or tried to connect) and no answer came back."""


class Deadline:
    """The end of the invocation's network time: Lambda's deadline minus the margin."""

    def __init__(self, context):
        self.end = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN

    def left(self):
        """Seconds of network time left (negative once past the deadline)."""
        return self.end - time.monotonic()


# ---- connecting: one connect deadline shared by every address of a name -----------------

def _connect_within(address, timeout=None, source_address=None, socket_options=None):
    """urllib3's create_connection, except that `timeout` bounds all attempts together.

    urllib3 gives each address a name resolves to the full connect timeout; an internal ALB
    has one address per AZ and an interface endpoint one per subnet, so a few black-holed
    addresses would multiply it. Here each attempt gets an equal share of what is left, the
    last one all of it. Host-name verification and SNI happen above this, unchanged.
    """
    host, port = address
    host = host.strip("[]")
    family = urllib3.util.connection.allowed_gai_family()
    addresses = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    if not addresses:
        raise OSError("getaddrinfo returns an empty list")
    # urllib3 passes a sentinel for "no timeout set": then the socket default applies.
    limit = timeout if isinstance(timeout, (int, float)) else None
    end = None if limit is None else time.monotonic() + limit
    error = None
    for i, (af, socktype, proto, _, sockaddr) in enumerate(addresses):
        share = None if end is None else (end - time.monotonic()) / (len(addresses) - i)
        if share is not None and share <= 0:
            break
        sock = socket.socket(af, socktype, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if share is not None:
                sock.settimeout(share)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            if limit is not None:
                sock.settimeout(limit)
            return sock
        except OSError as e:
            error = e
            sock.close()
    raise error or socket.timeout("timed out")


# Applies to the POST and to botocore's calls alike: both connect through urllib3.
urllib3.util.connection.create_connection = _connect_within


# ---- AWS calls: botocore timeouts and attempts that fit the time left --------------------

_clients = {}


def _aws_call_seconds(attempts, connect, read):
    """botocore's worst case for one call (src/budget.rs, Budget::aws_call)."""
    backoff = sum(min(2 ** (k - 1), MAX_BACKOFF) + RETRY_AFTER_EXTRA for k in range(1, attempts))
    return attempts * (connect + read) + backoff


def _aws_config(seconds):
    """The template's timeouts and attempts, cut down until one call fits in `seconds`."""
    connect = min(AWS_CONNECT_TIMEOUT, seconds / 2)
    read = min(AWS_READ_TIMEOUT, seconds - connect)
    attempts = max(1, AWS_MAX_ATTEMPTS)
    while attempts > 1 and _aws_call_seconds(attempts, connect, read) > seconds:
        attempts -= 1
    return Config(connect_timeout=connect, read_timeout=read,
                  retries={"mode": "standard", "total_max_attempts": attempts})


def _aws(service, seconds):
    """A client whose every call ends within `seconds` (the warm path reuses one per service)."""
    if seconds < MIN_AWS_CALL_SECONDS:
        raise RelayError("no time left for %s before the deadline" % service)
    if _aws_call_seconds(max(1, AWS_MAX_ATTEMPTS), AWS_CONNECT_TIMEOUT, AWS_READ_TIMEOUT) > seconds:
        return boto3.client(service, config=_aws_config(seconds))  # near the deadline: one-off
    if service not in _clients:
        _clients[service] = boto3.client(service, config=_aws_config(seconds))
    return _clients[service]


# ---- the API key ------------------------------------------------------------------------

_key = {"value": None, "read_at": 0.0}


def read_key(seconds, refresh=False):
    """The API key, from the cache unless `refresh` or older than SECRET_TTL."""
    if refresh or _key["value"] is None or time.monotonic() - _key["read_at"] > SECRET_TTL:
        secret = _aws("secretsmanager", seconds).get_secret_value(SecretId=os.environ["SECRET_ID"])
        # Stripped: a stray newline would make the header invalid (and an error quote it).
        _key.update(value=secret["SecretString"].strip(), read_at=time.monotonic())
    return _key["value"]


def mask(text):
    """The text with the API key replaced by ***."""
    return text.replace(_key["value"], "***") if _key["value"] else text


def short_reason(value):
    """One short line for logs and errors; masked before the cut, so no part of the key survives."""
    return " ".join(mask(str(value)).split())[:REASON_CHARS]


# ---- the POST ---------------------------------------------------------------------------

# One pool per container: keep-alive to the endpoint survives across warm invocations.
# Certificates are verified against the system store (plus CA_BUNDLE).
HTTP = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
# TARGET_URL -> (its pool, request path): resolved once per container, not per event.
_pools = {}


def _tls_settings():
    """Pool settings for HTTPS: the name to verify, and the trusted CAs."""
    tls = {}
    host = os.environ.get("TARGET_HOST")
    if host:
        # Connect to the URL's address, but use this name for SNI and to verify the
        # certificate (an ALB's own DNS name is on no certificate).
        tls.update(server_hostname=host, assert_hostname=host)
    if CA_BUNDLE:
        # Given a context, urllib3 loads no CAs itself: the system store first, then the bundle.
        context = urllib3.util.ssl_.create_urllib3_context()
        context.load_default_certs()
        context.load_verify_locations(cadata=CA_BUNDLE)
        tls.update(ssl_context=context)
    return tls


def _pool():
    url = os.environ["TARGET_URL"]
    if url not in _pools:
        # TLS settings only for https: urllib3 1.26 would hand them to a plain HTTP connection.
        tls = _tls_settings() if url.startswith("https") else {}
        _pools[url] = (HTTP.connection_from_url(url, pool_kwargs=tls or None), urllib3.util.parse_url(url).request_uri)
    return _pools[url]


def idempotency_key(event):
    """The key the endpoint de-duplicates on: the original one a re-sent event carries, else its id."""
    detail = event.get("detail")
    carried = detail.get(IDEMPOTENCY_FIELD) if isinstance(detail, dict) else None
    return carried if isinstance(carried, str) and carried else event.get("id")


def post(body, key, deadline):
    """POST the event once; never started unless its worst case ends before the deadline."""
    needed = CONNECT_TIMEOUT + READ_TIMEOUT
    if deadline.left() < needed:
        raise RelayError("not posted: %.1f s left before the deadline, a POST may take %.1f s"
                         % (max(deadline.left(), 0), needed))
    pool, path = _pool()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT,
               AUTH_HEADER: read_key(deadline.left() - needed)}
    if key:
        headers[IDEMPOTENCY_HEADER] = key
    if os.environ.get("TARGET_HOST"):
        headers["host"] = os.environ["TARGET_HOST"]
    # retries=False: Lambda retries, not urllib3. Redirects are not followed (the key must
    # not travel to another host): a 3xx is a failure.
    return pool.urlopen("POST", path, body=body, headers=headers, retries=False, redirect=False,
                        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT))


def parse(response):
    """(text, parsed JSON or the text itself)."""
    text = response.data.decode(errors="replace")
    try:
        return text, json.loads(text)
    except ValueError:
        return text, text


def key_refused(response):
    """A 401/403, or the tutorial app's way of saying so: HTTP 200 with "success": false."""
    body = parse(response)[1]
    return response.status in (401, 403) or isinstance(body, dict) and body.get("success") is False


def deliver(event, deadline):
    """POST the event; on a refused key, re-read it and POST once more only if it changed."""
    body, key = json.dumps(event).encode(), idempotency_key(event)
    try:
        response = post(body, key, deadline)
        if key_refused(response) and key_rotated(deadline):
            response = post(body, key, deadline)
    except urllib3.exceptions.HTTPError as e:
        # e.g. "ReadTimeoutError: Read timed out. (read timeout=0.5)"
        raise NoResponse("%s: %s" % (type(e).__name__, str(e).rsplit(": ", 1)[-1])) from None
    return response


def key_rotated(deadline):
    """Whether the key changed since it was sent (the same key again could only duplicate
    the request). False when the re-read and a second POST would not fit before the deadline."""
    seconds = deadline.left() - CONNECT_TIMEOUT - READ_TIMEOUT
    if seconds < MIN_AWS_CALL_SECONDS:
        return False
    sent = _key["value"]
    return read_key(seconds, refresh=True) != sent


def failure(response, text):
    """Why a response is not a delivery, or None when it is."""
    if not 200 <= response.status < 300:
        return "%s %s" % (response.reason or "HTTP error", text)
    if key_refused(response):
        return "success false: " + text
    return None


# ---- the response event -----------------------------------------------------------------

def response_detail(log, text, parsed):
    """The response event's detail (JSON, key masked), its response cut to fit PutEvents."""
    detail = {k: log[k] for k in ("request-id", "event-id", "status", "latency-ms")}
    detail["response"] = parsed
    out = mask(json.dumps(detail))  # ASCII (ensure_ascii): characters are bytes
    room = MAX_ENTRY_BYTES - len(RESPONSE_SOURCE.encode()) - len(RESPONSE_DETAIL_TYPE)
    if len(out) <= room:
        return out
    detail.update(response="", truncated=True)
    cut = mask(text)[:room - len(json.dumps(detail))]
    # Escaping (quotes, non-ASCII) can grow the text: cut again until it fits.
    while cut:
        detail["response"] = cut
        out = json.dumps(detail)
        if len(out) <= room:
            return out
        cut = cut[:len(cut) - (len(out) - room) - 1]
    detail["response"] = ""
    return json.dumps(detail)


def publish_response(log, text, parsed, deadline):
    """Best effort: the event was delivered, so a failure here is logged, never raised
    (raising would make Lambda POST the event again)."""
    if deadline.left() < MIN_AWS_CALL_SECONDS:
        return "response event not sent: no time left before the deadline"
    try:
        out = _aws("events", deadline.left()).put_events(Entries=[{
            "Source": RESPONSE_SOURCE, "DetailType": RESPONSE_DETAIL_TYPE,
            "Detail": response_detail(log, text, parsed), "EventBusName": os.environ["EVENT_BUS_NAME"]}])
        if out.get("FailedEntryCount"):
            entry = out["Entries"][0]
            return short_reason("response event not sent: %s %s" % (entry.get("ErrorCode"), entry.get("ErrorMessage")))
    except Exception as e:
        return short_reason("response event not sent: %s: %s" % (type(e).__name__, e))
    return None


# ---- the log line's metrics --------------------------------------------------------------

def with_metrics(log, no_response=False):
    """The log line plus CloudWatch Embedded Metric Format members: CloudWatch Logs turns them
    into metrics (namespace evrelay, dimension Stack), no API call. Stack: the function is
    named <stack>-relay (src/names.rs). Outside Lambda, the line alone."""
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    if not name.endswith("-relay"):
        return log
    ok = log["outcome"] == "delivered"
    values = {"Delivered": int(ok), "Failed": int(not ok)}
    if log.get("status"):
        values.update({"Endpoint%dxx" % (log["status"] // 100): 1, "DeliveryLatency": log["latency-ms"]})
    elif no_response:
        values["EndpointNoResponse"] = 1
    metrics = [{"Name": k, "Unit": "Milliseconds" if k == "DeliveryLatency" else "Count"} for k in values]
    return dict(log, Stack=name[:-len("-relay")], **values, _aws={"Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [{"Namespace": "evrelay", "Dimensions": [["Stack"]], "Metrics": metrics}]})


# ---- the handler ------------------------------------------------------------------------

def relay(event, deadline, log):
    """Deliver one EventBridge event (and its response event); RelayError when not delivered."""
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    log.update({"event-id": detail.get("event-id"), "request-id": event.get("id"), "status": None,
                "latency-ms": None, "outcome": "failed", "reason": None})
    started, no_response = time.monotonic(), False
    try:
        response = deliver(event, deadline)
        log["latency-ms"] = int((time.monotonic() - started) * 1000)
        log["status"] = response.status
        text, parsed = parse(response)
        why = failure(response, text)
        if why:
            raise RelayError(why)
        log["outcome"] = "delivered"
        if detail.get("return-response-event") is True:
            log["reason"] = publish_response(log, text, parsed, deadline)
        return response.status
    except Exception as e:
        # Every failure leaves as RelayError in the contract's format, never with the key.
        no_response = isinstance(e, NoResponse)
        log["reason"] = short_reason(e if isinstance(e, RelayError) else "%s: %s" % (type(e).__name__, e))
        raise RelayError("event %s: %s: %s" % (event.get("id"), log["status"] or "no response", log["reason"])) from None
    finally:
        if log["latency-ms"] is None:
            log["latency-ms"] = int((time.monotonic() - started) * 1000)
        print(json.dumps(with_metrics(log, no_response)))


def relay_batch(records, deadline):
    """Buffered delivery: an SQS batch, each body an EventBridge event. One record at a time
    (the event source mapping's MaximumConcurrency is the endpoint's concurrency), all under
    the invocation's one deadline; the records not delivered, or not reached before the
    deadline, go back to the buffer: Lambda's partial batch response."""
    failed = []
    for record in records:
        log = {"message-id": record.get("messageId")}
        try:
            event = json.loads(record.get("body") or "")
            if not isinstance(event, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            log.update(outcome="failed", reason=short_reason("body is not an event: %s" % e))
            print(json.dumps(with_metrics(log)))
            failed.append({"itemIdentifier": record.get("messageId")})
            continue
        try:
            relay(event, deadline, log)
        except RelayError:
            failed.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failed}


def handler(event, context):
    """Direct: relay one event, {"status": …} or RelayError (Lambda retries the invocation).
    Buffered: {"batchItemFailures": […]}, never raised (that would retry the whole batch)."""
    deadline = Deadline(context)
    records = event.get("Records")
    if isinstance(records, list) and all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records):
        return relay_batch(records, deadline)
    return {"status": relay(event, deadline, {})}
