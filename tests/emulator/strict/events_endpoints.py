"""EventBridge global endpoints (CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
DeleteEndpoint), which moto 5.2.5 lacks. PutEvents through an endpoint is routed in
strict/events_endpoints_put.py.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEndpoint.html (and the
Describe/List/Update/DeleteEndpoint pages beside it): the field constraints are those of the API
model botocore ships, which the pages print (Name 1–64 of [\\.\\-_A-Za-z0-9]+, Description ≤512,
HealthCheck ^arn:aws([a-z]|\\-)*:route53:::healthcheck/[\\-a-z0-9]+$, Route 9–20 of
^[\\-a-z0-9]+$, EventBuses exactly 2, RoleArn an IAM role ARN, ReplicationConfig.State
ENABLED|DISABLED, MaxResults 1–100), refused the way AWS's JSON front end refuses them:
ValidationException "1 validation error detected: Value '…' at 'name' failed to satisfy
constraint: Member must …".
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html: the buses have
"the same name and [are] in the same account"; the endpoint belongs to the primary Region, the
Region it is created in (DescribeEndpoint/ListEndpoints HomeRegion: "The primary Region of the
endpoint"; the console creates it from the primary bus's Region, the secondary bus is filled in
from Secondary.Route). The endpoint's ARN, EndpointId and EndpointUrl follow AWS's published
examples (awscli's events examples, Security Hub's AwsEventsEndpoint: EndpointId "04k1exajoy.veo",
EndpointUrl https://04k1exajoy.veo.endpoint.events.amazonaws.com).

The messages of the cross-field rules (Regions, bus names, health check, role) are not
published: the code (ValidationException) is what a caller may rely on, not the words.
"""

import base64
import json
import os
import random
import re
import string
import time
from urllib.parse import unquote

import moto.events.responses as _events_responses
from botocore.loaders import Loader
from botocore.model import ServiceModel
from moto.core.exceptions import JsonRESTError
from moto.events.exceptions import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from moto.events.models import events_backends
from moto.iam.models import iam_backends
from moto.route53.models import route53_backends


class ConcurrentModificationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ConcurrentModificationException", message)


# --- Field constraints, from the API model ------------------------------------------------------
_MODEL = ServiceModel(Loader().load_service_model("events", "service-2"), "events")


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _value(value) -> str:
    return "null" if value is None else f"'{value}'"


def _errors(shape, value, path: str) -> list:
    """AWS's constraint messages for one value, its members and items (required members first)."""
    out = []
    if value is None:
        return out
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                    "Member must be a structure"]
        for name, member in shape.members.items():
            where = f"{path}.{_lower_first(name)}" if path else _lower_first(name)
            if value.get(name) is None and name in shape.required_members:
                out.append(f"Value null at '{where}' failed to satisfy constraint: "
                           "Member must not be null")
            out += _errors(member, value.get(name), where)
        return out
    if kind == "list":
        for i, item in enumerate(value if isinstance(value, list) else [], start=1):
            out += _errors(shape.member, item, f"{path}.{i}.member")
    expected = {"string": str, "list": list, "integer": int}.get(kind)
    if expected is None:
        return out  # booleans, timestamps: no constraints in these operations
    if not isinstance(value, expected):
        return [f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                f"Member must be of type {kind}"]
    if kind in ("string", "list"):
        size = len(value)
        if "min" in meta and size < meta["min"]:
            out.append(f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                       f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            out.append(f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                       f"Member must have length less than or equal to {meta['max']}")
    if kind == "string" and "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        out.append(f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                   f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if kind == "string" and shape.enum and value not in shape.enum:
        out.append(f"Value {_value(value)} at '{path}' failed to satisfy constraint: "
                   f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    if kind == "integer":
        if "min" in meta and value < meta["min"]:
            out.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                       f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                       f"Member must have value less than or equal to {meta['max']}")
    return out


def validate_input(operation: str, body: dict) -> None:
    errors = _errors(_MODEL.operation_model(operation).input_shape, body, "")
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


# --- Which Regions have global endpoints --------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html ("Available
# Regions") and feature-availability.html (the "Global endpoints" column).
GLOBAL_ENDPOINT_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-central-1",
    "eu-west-1", "eu-west-2", "eu-south-1", "eu-west-3", "eu-north-1", "ap-south-1",
    "ap-northeast-3", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
    "sa-east-1",
})

_BUS_ARN = re.compile(r"^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus/(.+)$")
_HEALTH_CHECK_ARN = re.compile(r"^arn:aws[a-z-]*:route53:::healthcheck/(.+)$")


def config_errors(account_id: str, home: str, endpoint: dict) -> list:
    """The cross-field rules of an endpoint's settings, as one message each ([] when it may be
    created or updated to them). `endpoint` holds the API's fields."""
    failover = endpoint["RoutingConfig"]["FailoverConfig"]
    secondary = failover["Secondary"]["Route"]
    errors = []
    for region, role in ((home, "primary"), (secondary, "secondary")):
        if region not in GLOBAL_ENDPOINT_REGIONS:
            errors.append(f"Global endpoints are not available in the {role} Region {region}.")
    if secondary == home:
        errors.append(f"The secondary Region must differ from the primary Region {home}.")
    buses = [_BUS_ARN.match(b["EventBusArn"]) for b in endpoint["EventBuses"]]
    regions = sorted(m.group(1) for m in buses if m)
    if regions != sorted([home, secondary]):
        errors.append(
            f"EventBuses must hold one event bus in the primary Region {home} and one in the "
            f"secondary Region {secondary}."
        )
    if len({m.group(3) for m in buses if m}) > 1:
        errors.append("The event buses of an endpoint must have the same name.")
    if any(m and m.group(2) != account_id for m in buses):
        errors.append("The event buses of an endpoint must be in the endpoint's account.")
    check = _HEALTH_CHECK_ARN.match(failover["Primary"]["HealthCheck"])
    if not check or check.group(1) not in route53_backends[account_id]["aws"].health_checks:
        errors.append(f"Health check {failover['Primary']['HealthCheck']} does not exist.")
    # API_CreateEndpoint.html ReplicationConfig: "The default state is ENABLED which means you
    # must supply a RoleArn".
    if endpoint["ReplicationConfig"]["State"] == "ENABLED" and not endpoint.get("RoleArn"):
        errors.append("RoleArn is required when event replication is enabled.")
    # EventBridge assumes the role to replicate: AWS refuses one it cannot assume, in these words
    # (AWS's answer in hashicorp/terraform-provider-aws#25846's acceptance run). Whether AWS also
    # checks a role it would not use (replication DISABLED) is unknown: not checked then.
    role = endpoint.get("RoleArn")
    replicating = endpoint["ReplicationConfig"]["State"] == "ENABLED"
    if role and replicating and not _events_may_assume(account_id, role):
        errors.append(f"Provided role '{role}' cannot be assumed by principal "
                      "'events.amazonaws.com'.")
    return errors


def _events_may_assume(account_id: str, role_arn: str) -> bool:
    """Whether the role exists and its trust policy lets events.amazonaws.com assume it."""
    name = role_arn.rsplit("/", 1)[-1]
    found = [r for r in iam_backends[account_id]["global"].roles.values() if r.name == name]
    if not found:
        return False
    policy = found[0].assume_role_policy_document
    if isinstance(policy, str):
        policy = json.loads(unquote(policy))
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        principal = statement.get("Principal") or {}
        services = principal.get("Service", []) if isinstance(principal, dict) else principal
        services = [services] if isinstance(services, str) else services
        if (statement.get("Effect") == "Allow"
                and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions)
                and any(s in ("events.amazonaws.com", "*") for s in services)):
            return True
    return False


# --- Where endpoints live, and their states ---------------------------------------------------
# CreateEndpoint answers CREATING, UpdateEndpoint UPDATING, DeleteEndpoint leaves it DELETING
# (API_DescribeEndpoint.html State); each settles after EVRELAY_EMULATOR_ENDPOINT_SECONDS
# (default 2), so a caller has to wait for ACTIVE (or for it to be gone) as it must on AWS.
def _settle_seconds() -> float:
    return float(os.environ.get("EVRELAY_EMULATOR_ENDPOINT_SECONDS", "2"))


def _store(account_id: str, region: str) -> dict:
    return events_backends[account_id][region].__dict__.setdefault("_evrelay_endpoints", {})


def _settle(store: dict) -> None:
    now = time.monotonic()
    for name, endpoint in list(store.items()):
        target, at = endpoint.get("_next") or (None, None)
        if at is None or now < at:
            continue
        if target is None:
            del store[name]
        else:
            endpoint["State"], endpoint["_next"] = target, None


def endpoints(account_id: str, region: str) -> dict:
    store = _store(account_id, region)
    _settle(store)
    return store


def find_by_id(account_id: str, endpoint_id: str):
    """The endpoint an EndpointId names, whichever its home Region (the id is a global DNS name)."""
    for region in list(dict.keys(events_backends[account_id])):
        for endpoint in endpoints(account_id, region).values():
            if endpoint["EndpointId"] == endpoint_id:
                return endpoint
    return None


def _new_endpoint_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(random.choice(alphabet) for _ in range(10)) + ".veo"


_PUBLIC = ("Name", "Description", "Arn", "RoutingConfig", "ReplicationConfig", "EventBuses",
           "RoleArn", "EndpointId", "EndpointUrl", "State", "StateReason", "CreationTime",
           "LastModifiedTime")


def _public(endpoint: dict, keys=_PUBLIC) -> dict:
    return {k: endpoint[k] for k in keys if endpoint.get(k) is not None}


def _busy(endpoint: dict) -> None:
    if endpoint["State"] in ("CREATING", "UPDATING", "DELETING"):
        raise ConcurrentModificationException(
            f"Endpoint {endpoint['Name']} is {endpoint['State']}; retry once it is ACTIVE."
        )


def _found(account_id: str, region: str, name: str) -> dict:
    store = endpoints(account_id, region)
    if name not in store:
        raise ResourceNotFoundException(f"Endpoint {name} does not exist.")
    return store[name]


def _refuse(errors: list) -> None:
    if errors:
        raise ValidationException(" ".join(errors))


def _then(state, settle: bool):
    """The state an endpoint reaches once settled, and when (None: gone). CloudFormation's handler
    waits for it (settle=False: at once), the API's caller must."""
    return (state, time.monotonic() + (_settle_seconds() if settle else 0))


def create(account_id: str, region: str, partition: str, body: dict, settle=True) -> dict:
    validate_input("CreateEndpoint", body)
    endpoint = {
        "Name": body["Name"],
        "Description": body.get("Description"),
        "RoutingConfig": body["RoutingConfig"],
        "ReplicationConfig": {"State": (body.get("ReplicationConfig") or {}).get("State")
                              or "ENABLED"},
        "EventBuses": body["EventBuses"],
        "RoleArn": body.get("RoleArn"),
    }
    _refuse(config_errors(account_id, region, endpoint))
    store = endpoints(account_id, region)
    if endpoint["Name"] in store:
        raise ResourceAlreadyExistsException(f"Endpoint {endpoint['Name']} already exists.")
    endpoint_id = _new_endpoint_id()
    now = time.time()
    endpoint.update(
        Arn=f"arn:{partition}:events:{region}:{account_id}:endpoint/{endpoint['Name']}",
        EndpointId=endpoint_id,
        EndpointUrl=f"https://{endpoint_id}.endpoint.events.amazonaws.com",
        State="CREATING", CreationTime=now, LastModifiedTime=now,
        _home=region, _next=_then("ACTIVE", settle),
    )
    store[endpoint["Name"]] = endpoint
    if not settle:
        _settle(store)
    return endpoint


def update(account_id: str, region: str, body: dict, settle=True) -> dict:
    validate_input("UpdateEndpoint", body)
    endpoint = _found(account_id, region, body["Name"])
    _busy(endpoint)
    updated = dict(endpoint)
    for key in ("Description", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn"):
        if body.get(key) is not None:
            updated[key] = body[key]
    updated["ReplicationConfig"] = {"State": updated["ReplicationConfig"].get("State")
                                    or "ENABLED"}
    _refuse(config_errors(account_id, region, updated))
    updated.update(State="UPDATING", LastModifiedTime=time.time(),
                   _next=_then("ACTIVE", settle))
    endpoint.clear()
    endpoint.update(updated)
    if not settle:
        _settle(endpoints(account_id, region))
    return endpoint


def delete(account_id: str, region: str, name: str, settle=True) -> None:
    endpoint = _found(account_id, region, name)
    _busy(endpoint)
    endpoint.update(State="DELETING", _next=_then(None, settle))
    if not settle:
        _settle(endpoints(account_id, region))


# --- The API ------------------------------------------------------------------------------------
def _body(handler) -> dict:
    return json.loads(handler.body or "{}")


def _create_endpoint(self):
    endpoint = create(self.current_account, self.region, self.partition, _body(self))
    keys = ("Name", "Arn", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn", "State")
    return json.dumps(_public(endpoint, keys))


def _describe_endpoint(self):
    body = _body(self)
    validate_input("DescribeEndpoint", body)
    home = body.get("HomeRegion") or self.region
    return json.dumps(_public(_found(self.current_account, home, body["Name"])))


def _list_endpoints(self):
    body = _body(self)
    validate_input("ListEndpoints", body)
    prefix = body.get("NamePrefix") or ""
    found = sorted(
        (e for e in endpoints(self.current_account, body.get("HomeRegion") or self.region).values()
         if e["Name"].startswith(prefix)),
        key=lambda e: e["Name"],
    )
    start = 0
    if body.get("NextToken"):
        try:
            after = base64.urlsafe_b64decode(body["NextToken"].encode()).decode()
        except ValueError:
            raise ValidationException("The NextToken provided is invalid.") from None
        start = sum(1 for e in found if e["Name"] <= after)
    page = found[start:start + int(body.get("MaxResults") or 100)]
    out = {"Endpoints": [_public(e) for e in page]}
    if start + len(page) < len(found):
        out["NextToken"] = base64.urlsafe_b64encode(page[-1]["Name"].encode()).decode()
    return json.dumps(out)


def _update_endpoint(self):
    endpoint = update(self.current_account, self.region, _body(self))
    keys = ("Name", "Arn", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn",
            "EndpointId", "EndpointUrl", "State")
    return json.dumps(_public(endpoint, keys))


def _delete_endpoint(self):
    body = _body(self)
    validate_input("DeleteEndpoint", body)
    delete(self.current_account, self.region, body["Name"])
    return "{}"


_events_responses.EventsHandler.create_endpoint = _create_endpoint
_events_responses.EventsHandler.describe_endpoint = _describe_endpoint
_events_responses.EventsHandler.list_endpoints = _list_endpoints
_events_responses.EventsHandler.update_endpoint = _update_endpoint
_events_responses.EventsHandler.delete_endpoint = _delete_endpoint
