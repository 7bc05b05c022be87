"""AWS's waits, time-scaled: on only when EVRELAY_EMULATOR_TIME_SCALE is set (0.05 = 20x faster
than AWS). moto finishes every endpoint and stack operation at once; here they take time in the
shapes AWS documents, so a deploy's waits, its live view and its interruption can be tested.

EVRELAY_EMULATOR_FAIL_RESOURCE=<LogicalId>[=<reason>] makes that resource fail to create (the
stack rolls back); EVRELAY_EMULATOR_ENDPOINT_FAILS=1 makes new interface endpoints go
pending -> failed.
"""

import datetime
import os
import threading

import moto.cloudformation.models as _cfn_models
import moto.cloudformation.responses as _cfn_responses
import moto.ec2.models.vpcs as _ec2_vpcs
from moto.core.utils import utcnow

SCALE = float(os.environ.get("EVRELAY_EMULATOR_TIME_SCALE") or 0)

# Seconds on AWS, before scaling.
# https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html ("The
# initial status is pending"; it becomes available once provisioned, typically a minute or more)
# and https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html (State:
# PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected | Failed | Expired).
ENDPOINT_PENDING = 60
ENDPOINT_DELETING = 30
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html: creating a function
# attached to a VPC makes its Hyperplane network interfaces first (the function stays Pending
# until they exist, which can take a minute or more); deleting it waits until Lambda has released
# them ("it can take up to 20 minutes" to delete a network interface after the function is
# deleted). Every other resource of the relay's template takes seconds.
RESOURCE_SECONDS = {
    "AWS::Lambda::Function": 60,
    "AWS::IAM::Role": 10,
}
FUNCTION_DELETE = 120
OTHER = 2


def _now():
    return utcnow()


def _later(seconds):
    return _now() + datetime.timedelta(seconds=seconds * SCALE)


# --- Interface endpoints: pending before available, deleting before deleted -------------------
def _get_state(self):
    now = _now()
    deleting_until = getattr(self, "_deleting_until", None)
    if deleting_until is not None:
        return "deleting" if now < deleting_until else "deleted"
    pending_until = getattr(self, "_pending_until", None)
    if pending_until is not None and now < pending_until:
        return "pending"
    return self._state


def _set_state(self, value):
    if value == "deleted" and SCALE and getattr(self, "_state", None) not in (None, "deleted"):
        self._deleting_until = _later(ENDPOINT_DELETING)
    self._state = value


_create_vpc_endpoint = _ec2_vpcs.VPCBackend.create_vpc_endpoint


def _pending_create_vpc_endpoint(self, *args, **kwargs):
    endpoint = _create_vpc_endpoint(self, *args, **kwargs)
    if (endpoint.vpc_endpoint_type or "").lower() == "interface":
        endpoint._pending_until = _later(ENDPOINT_PENDING)
        if os.environ.get("EVRELAY_EMULATOR_ENDPOINT_FAILS") == "1":
            endpoint._state = "failed"
    return endpoint


# --- Stack operations that take time, resource by resource ------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-resource-configuration-complete.html
# and .../using-cfn-describing-stacks.html: CloudFormation creates resources in the order of the
# template's dependencies (Ref, Fn::GetAtt, DependsOn), in parallel where none exist, each
# CREATE_IN_PROGRESS then CREATE_COMPLETE; the stack is CREATE_COMPLETE after the last. A failed
# resource (CREATE_FAILED with its reason) cancels the ones in progress and rolls the stack back:
# ROLLBACK_IN_PROGRESS, the created resources deleted in reverse order, ROLLBACK_COMPLETE
# (.../troubleshooting.html, "Stack rollback"). A delete goes in reverse dependency order.
def _deps(body, resources):
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str) and value in resources:
                    found.add(value)
                elif key == "Fn::GetAtt":
                    target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                    if target in resources:
                        found.add(target)
                elif key == "Fn::Sub":
                    text = value[0] if isinstance(value, list) else value
                    for name in resources:
                        if "${" + name + "}" in str(text) or "${" + name + "." in str(text):
                            found.add(name)
                    walk(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body.get("Properties", {}))
    depends = body.get("DependsOn", [])
    found.update([depends] if isinstance(depends, str) else depends)
    return found & set(resources)


def _plan(stack):
    """(logical id, type, start, end) in seconds from the start, as the graph allows."""
    # A stack made through a change set keeps its template only as text.
    template = stack.template_dict or stack.parse_template(stack.template) or {}
    resources = template.get("Resources", {})
    deps = {name: _deps(body, resources) for name, body in resources.items()}
    ends, plan = {}, []
    while len(ends) < len(resources):
        ready = [n for n in resources if n not in ends and deps[n] <= set(ends)]
        if not ready:  # a cycle would have been refused by CloudFormation
            ready = [n for n in resources if n not in ends]
        for name in ready:
            rtype = resources[name].get("Type", "")
            start = max([ends[d] for d in deps[name]], default=0.0)
            ends[name] = start + RESOURCE_SECONDS.get(rtype, OTHER)
            plan.append((name, rtype, start, ends[name]))
    return plan


def _event(stack, logical, rtype, status, reason=None):
    physical = stack.stack_id if logical == stack.name else logical
    return _cfn_models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical,
        physical_resource_id=physical,
        resource_type=rtype,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )


def _schedule(stack, started_by, timeline):
    """timeline: (seconds, logical id, type, status, reason); the stack's own rows set its
    status. Every event carries the token of the call that started the operation."""
    base = _now()
    stack._scheduled = sorted(
        [
            (base + datetime.timedelta(seconds=s * SCALE), logical, rtype, status, reason)
            for s, logical, rtype, status, reason in timeline
        ],
        key=lambda row: row[0],
    )
    stack._started_by = started_by


def _materialize(stack):
    now = _now()
    due = [row for row in getattr(stack, "_scheduled", []) if row[0] <= now]
    if not due:
        return
    stack._scheduled = stack._scheduled[len(due):]
    for at, logical, rtype, status, reason in due:
        event = _event(stack, logical, rtype, status, reason)
        event.timestamp = at
        event.client_request_token = getattr(stack._started_by, "client_request_token", None)
        stack.__dict__["events"].append(event)
        if logical == stack.name:
            stack.__dict__["status"] = status


def _stack_status(self):
    _materialize(self)
    return self.__dict__.get("status")


def _stack_events(self):
    _materialize(self)
    return self.__dict__.setdefault("events", [])


def _create_timeline(stack):
    stack_type = "AWS::CloudFormation::Stack"
    fail = os.environ.get("EVRELAY_EMULATOR_FAIL_RESOURCE", "")
    fail_id, _, fail_reason = fail.partition("=")
    fail_reason = fail_reason or "Resource handler returned message: failed (simulated)"
    plan = _plan(stack)
    rows = []
    failed_at = next((end for name, _, _, end in plan if name == fail_id), None)
    created = []
    for name, rtype, start, end in plan:
        if failed_at is not None and start > failed_at:
            continue
        rows.append((start, name, rtype, "CREATE_IN_PROGRESS", None))
        rows.append((start, name, rtype, "CREATE_IN_PROGRESS", "Resource creation Initiated"))
        if failed_at is None or end < failed_at:
            rows.append((end, name, rtype, "CREATE_COMPLETE", None))
            created.append((name, rtype))
        elif name == fail_id:
            rows.append((end, name, rtype, "CREATE_FAILED", fail_reason))
        else:
            rows.append((failed_at, name, rtype, "CREATE_FAILED", "Resource creation cancelled"))
    if failed_at is None:
        last = max([end for *_, end in plan], default=0.0)
        rows.append((last, stack.name, stack_type, "CREATE_COMPLETE", None))
        return rows
    reason = f"The following resource(s) failed to create: [{fail_id}]. Rollback requested by user."
    rows.append((failed_at, stack.name, stack_type, "ROLLBACK_IN_PROGRESS", reason))
    t = failed_at
    for name, rtype in reversed(created):
        rows.append((t, name, rtype, "DELETE_IN_PROGRESS", None))
        t += OTHER
        rows.append((t, name, rtype, "DELETE_COMPLETE", None))
    rows.append((t, stack.name, stack_type, "ROLLBACK_COMPLETE", None))
    return rows


def _delete_timeline(stack):
    t, rows = 0.0, []
    for name, rtype, _, _ in reversed(_plan(stack)):
        rows.append((t, name, rtype, "DELETE_IN_PROGRESS", None))
        t += FUNCTION_DELETE if rtype == "AWS::Lambda::Function" else OTHER
        rows.append((t, name, rtype, "DELETE_COMPLETE", None))
    rows.append((t, stack.name, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", None))
    return rows


_execute_change_set = _cfn_models.CloudFormationBackend.execute_change_set


def _timed_execute_change_set(self, change_set_name, stack_name=None):
    cs = self.change_sets.get(change_set_name)
    stack = self.stacks.get(cs.stack_id) if cs else None
    before = len(stack.events) if stack else 0
    _execute_change_set(self, change_set_name=change_set_name, stack_name=stack_name)
    if stack is None or cs.change_set_type != "CREATE":
        return
    first = stack.events[before]
    del stack.__dict__["events"][before + 1:]
    stack.__dict__["status"] = "CREATE_IN_PROGRESS"
    _schedule(stack, first, _create_timeline(stack))


_delete_stack = _cfn_models.CloudFormationBackend.delete_stack
_deleting = []  # (backend, stack): listed by name as DELETE_IN_PROGRESS until their last event


def _timed_delete_stack(self, name_or_stack_id):
    stack = self.stacks.get(name_or_stack_id) or next(
        (s for s in self.stacks.values() if s.name == name_or_stack_id), None
    )
    before = len(stack.events) if stack else 0
    _delete_stack(self, name_or_stack_id)
    # By name, moto deletes by id through this same method: that inner call scheduled it.
    if stack is None or stack.stack_id not in self.deleted_stacks or any(
        s is stack for _, s in _deleting
    ):
        return
    first = stack.events[before]
    del stack.__dict__["events"][before + 1:]
    stack.__dict__["status"] = "DELETE_IN_PROGRESS"
    self.stacks[stack.stack_id] = stack
    _schedule(stack, first, _delete_timeline(stack))
    _deleting.append((self, stack))


_lock = threading.RLock()
_call_action = _cfn_responses.CloudFormationResponse.call_action


def _advancing_call_action(self):
    with _lock:
        for backend, stack in list(_deleting):
            if stack.status == "DELETE_COMPLETE":
                backend.stacks.pop(stack.stack_id, None)
                _deleting.remove((backend, stack))
    return _call_action(self)


if SCALE:
    _ec2_vpcs.VPCEndPoint.state = property(_get_state, _set_state)
    _ec2_vpcs.VPCBackend.create_vpc_endpoint = _pending_create_vpc_endpoint
    _cfn_models.Stack.status = property(_stack_status, lambda s, v: s.__dict__.update(status=v))
    _cfn_models.Stack.events = property(_stack_events, lambda s, v: s.__dict__.update(events=v))
    _cfn_models.CloudFormationBackend.execute_change_set = _timed_execute_change_set
    _cfn_models.CloudFormationBackend.delete_stack = _timed_delete_stack
    _cfn_responses.CloudFormationResponse.call_action = _advancing_call_action
