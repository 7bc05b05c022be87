"""EventBridge PutEvents through a global endpoint (EndpointId): the entries go to the bus in the
primary or the secondary Region by the endpoint's Route 53 health check, and with replication a
copy goes to the other Region. moto 5.2.5 ignores EndpointId."""

import copy
import json
import uuid

import moto.core.responses as _core_responses
import moto.events.responses as _events_responses
import moto.moto_server.werkzeug_app as _werkzeug_app
from moto.core.utils import unix_time
from moto.events.exceptions import ResourceNotFoundException
from moto.events.models import _BASE_EVENT_MESSAGE, events_backends
from moto.route53.exceptions import NoSuchHealthCheck

from strict.events_endpoints import find_by_id, validate_input
from strict.route53 import health_check_healthy

# --- SigV4a requests reach the events backend ---------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html ("requests to
# global endpoints will use Signature Version 4A"): the SDKs' endpoint rules send PutEvents with an
# EndpointId to https://<EndpointId>.endpoint.events.amazonaws.com, or to the configured endpoint
# URL, signed "AWS4-ECDSA-P256-SHA256 Credential=<key>/<date>/events/aws4_request" with
# X-Amz-Region-Set: *. moto reads the service and Region from a SigV4 credential scope
# (<key>/<date>/<region>/<service>/…), finds none in SigV4a's and hands the request to S3. moto
# verifies no signature, SigV4 or SigV4a: the request is accepted as signed.
_SIGV4A = "AWS4-ECDSA-P256-SHA256"


def _sigv4a_region(region_set) -> str:
    regions = [r.strip() for r in (region_set or "").split(",") if r.strip() and "*" not in r]
    return regions[0] if regions else "us-east-1"


_infer_service_region_host = _werkzeug_app.DomainDispatcherApplication.infer_service_region_host


def _infer_sigv4a(self, environ, path):
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    if auth.startswith(_SIGV4A):
        scope = auth.split(",")[0].split()[1].split("/")  # Credential=<key>, date, service, …
        if len(scope) == 4:
            region = _sigv4a_region(environ.get("HTTP_X_AMZ_REGION_SET"))
            return f"{scope[2]}.{region}.amazonaws.com"
    return _infer_service_region_host(self, environ, path)


_werkzeug_app.DomainDispatcherApplication.infer_service_region_host = _infer_sigv4a

_get_region_from_url = _core_responses.BaseResponse.get_region_from_url


def _region_sigv4a(self, request, full_url):
    if (request.headers.get("Authorization") or "").startswith(_SIGV4A):
        return _sigv4a_region(request.headers.get("X-Amz-Region-Set"))
    return _get_region_from_url(self, request, full_url)


_core_responses.BaseResponse.get_region_from_url = _region_sigv4a


# --- Routing by the health check ----------------------------------------------------------------
# eb-global-endpoints.html: "When failover is initiated, the health check reports an 'unhealthy'
# state … all custom events are routed to an event bus in the secondary Region … Once the health
# check reports a 'healthy' state, events are processed by the event bus in the primary Region."
# (AWS takes minutes, through DNS; the emulator routes each request by the status at that moment.)
# The health check's status is strict/route53.py's (the alarm, InsufficientDataHealthStatus,
# Disabled, Inverted). Each Region's entries go through that Region's backend, so the rules of
# that Region's bus fire and the event's "region" is that Region.
def route(account_id: str, endpoint: dict) -> tuple:
    """(the Region that receives the events now, the other Region)."""
    failover = endpoint["RoutingConfig"]["FailoverConfig"]
    home, secondary = endpoint["_home"], failover["Secondary"]["Route"]
    try:
        healthy = health_check_healthy(account_id, failover["Primary"]["HealthCheck"].split("/")[-1])
    except NoSuchHealthCheck:
        healthy = True  # a deleted check no longer fails anything over (nothing reports unhealthy)
    return (home, secondary) if healthy else (secondary, home)


# --- Replication ----------------------------------------------------------------------------------
# eb-global-endpoints.html "Event replication": "Event replication sends all custom events to the
# event buses in the primary and secondary Regions"; "Events are processed in the secondary Region
# asynchronously" (the emulator delivers the copy before it answers, so tests need not wait);
# "Replicated event payload … For region, the Region that the event was replicated from is
# listed", and its resources hold the endpoint's ARN. eb-ge-best-practices.html: "Event IDs can
# change across API calls": the copy has an id of its own. A missing bus in the other Region loses
# the copy, not the PutEvents (replication happens after the answer on AWS).
def _replicate(account_id: str, to_region: str, from_region: str, entry: dict, endpoint_arn: str):
    backend = events_backends[account_id][to_region]
    bus = backend.event_buses.get(backend._normalize_event_bus_arn(entry.get("EventBusName")))
    if bus is None:
        return
    event = copy.deepcopy(_BASE_EVENT_MESSAGE)
    event.update({
        "id": str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account_id,
        "time": entry.get("Time", unix_time()),
        "region": from_region,
        "resources": list(entry.get("Resources") or []) + [endpoint_arn],
        "detail": json.loads(entry["Detail"]),
        "ingestion-time": unix_time(),
    })
    for rule in list(bus.rules.values()):
        rule.send_to_targets(event)


# --- PutEvents with EndpointId ----------------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html (EndpointId: "The
# URL subdomain of the endpoint", pattern ^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$; the response's
# FailedEntryCount and Entries, one per entry in order).
_put_events = _events_responses.EventsHandler.put_events


def _put_events_through_endpoint(self):
    body = json.loads(self.body or "{}")
    if body.get("EndpointId") is None:
        return _put_events(self)
    validate_input("PutEvents", body)
    endpoint = find_by_id(self.current_account, body["EndpointId"])
    if endpoint is None:
        # On AWS an unknown id is an unknown host name (<id>.endpoint.events.amazonaws.com does
        # not resolve): the SDK fails to dispatch and no HTTP answer comes back. A request that
        # reaches the emulator is answered instead; a caller checks the endpoint exists first.
        raise ResourceNotFoundException(f"Endpoint {body['EndpointId']} does not exist.")
    active, other = route(self.current_account, endpoint)
    entries = [dict(e) for e in body["Entries"]]
    for entry in entries:
        if entry.get("EventBusName"):
            # The bus is the endpoint's bus in the Region routed to, whichever ARN was named.
            entry["EventBusName"] = entry["EventBusName"].split("/")[-1]
    results = events_backends[self.current_account][active].put_events(entries)
    if endpoint["ReplicationConfig"]["State"] == "ENABLED":
        for entry, result in zip(entries, results):
            if "EventId" in result:
                _replicate(self.current_account, other, active, entry, endpoint["Arn"])
    failed = sum(1 for r in results if "ErrorCode" in r)
    return json.dumps({"FailedEntryCount": failed, "Entries": results})


_events_responses.EventsHandler.put_events = _put_events_through_endpoint
