"""CloudFormation: stacks and change sets as the CloudFormation API reference describes them."""

import copy
import os
import threading

import moto.cloudformation.models as _cfn_models
import moto.cloudformation.responses as _cfn_responses
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ValidationError,
)
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from strict.common import truthy as _truthy

# --- CloudFormation: a deleted stack's DeletionTime -------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSummary.html
# (DeletionTime: "The time the stack was deleted"). ListStacks returns deleted stacks (for 90
# days) with it; moto lists them without one. evrelay reads it to wait out the queue-name
# window above.
_delete_stack = _cfn_models.CloudFormationBackend.delete_stack


def _timed_delete_stack(self, name_or_stack_id):
    before = set(self.deleted_stacks)
    _delete_stack(self, name_or_stack_id)
    for stack_id in set(self.deleted_stacks) - before:
        self.deleted_stacks[stack_id].deletion_time = utcnow()


_cfn_models.CloudFormationBackend.delete_stack = _timed_delete_stack


# --- CloudFormation: parameters as DescribeStacks returns them --------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html
# (ParameterValue: a string; a List<…> parameter is its comma-delimited list) and
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
# (NoEcho: "the parameter value is masked with asterisks (*****) for any calls that describe the
# stack"). moto returns lists as Python reprs ("['subnet-a', 'subnet-b']") and, comparing the
# value instead of the key against the NoEcho keys, returns NoEcho values in clear text.
def _parameter_list(self):
    # The sandbox's Lambda stand-in still creates the secret moto skips from this value
    # (tests/sandbox/lambda_service.py): it alone opts out of the masking.
    clear = os.environ.get("EVRELAY_EMULATOR_NOECHO_IN_CLEAR") == "1"
    no_echo = set() if clear else set(self.resource_map.no_echo_parameter_keys)
    out = []
    for key, value in self.resource_map.resolved_parameters.items():
        if key in no_echo:
            value = "****"
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        out.append({"ParameterKey": key, "ParameterValue": value})
    return out


_cfn_models.Stack.parameter_list = property(_parameter_list)


# --- CloudFormation: change sets found, described and executed as AWS does -------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
# (StackName: "If you specified the name of a change set, specify the stack name or ID (ARN) of
# the change set"; ChangeSetNotFound, HTTP 404). moto looks a name up across every stack in the
# region and answers an unknown one with ValidationError "Stack with id … does not exist".
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
# (NoEcho values are masked "for any calls that describe the stack"): moto's DescribeChangeSet
# returns them in clear.
# The same page's response (Tags: "If you execute the change set, the tags that will be
# associated with the stack"): moto keeps a change set's tags as a dict and DescribeChangeSet
# returns none.
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
# ("When you execute a change set, CloudFormation deletes all other change sets associated with
# the stack because they aren't valid for the updated stack"; InvalidChangeSetStatus when it is
# not AVAILABLE). moto executes any change set, any number of times, and keeps the others.
class _ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFoundException"


class _InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatusException"


def _find_change_set(backend, name, stack_name):
    found = backend.change_sets.get(name)  # an ARN
    if found is None and stack_name:
        for cs in backend.change_sets.values():
            if cs.change_set_name == name and stack_name in (cs.stack_name, cs.stack_id):
                found = cs
    if found is None:
        raise _ChangeSetNotFound(f"ChangeSet [{name}] does not exist")
    return found


def _strict_describe_change_set(self):
    cs = _find_change_set(
        self.cloudformation_backend,
        self._get_param("ChangeSetName"),
        self._get_param("StackName"),
    )
    declared = (cs.template_dict or {}).get("Parameters") or {}
    masked = copy.copy(cs)
    masked.parameters = {
        key: "****" if _truthy((declared.get(key) or {}).get("NoEcho")) else value
        for key, value in (cs.parameters or {}).items()
    }
    masked.tags = [{"Key": k, "Value": v} for k, v in (cs.tags or {}).items()]
    return ActionResult(masked)


def _strict_execute_change_set(self):
    backend = self.cloudformation_backend
    cs = _find_change_set(
        backend, self._get_param("ChangeSetName"), self._get_param("StackName")
    )
    if cs.execution_status != "AVAILABLE":
        raise _InvalidChangeSetStatus(
            f"ChangeSet [{cs.change_set_id}] cannot be executed in its current execution "
            f"status of [{cs.execution_status}]"
        )
    backend.execute_change_set(change_set_name=cs.change_set_id, stack_name=cs.stack_name)
    for other_id, other in list(backend.change_sets.items()):
        if other.stack_id == cs.stack_id and other is not cs:
            del backend.change_sets[other_id]
    return EmptyResult()


# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
# (AlreadyExistsException: "The resource with the name requested already exists"): a stack's
# change set names are unique. moto accepts a second one of the same name, and a lookup by name
# then finds either.
_create_change_set = _cfn_models.CloudFormationBackend.create_change_set


def _strict_create_change_set(self, stack_name, change_set_name, *args, **kwargs):
    for cs in self.change_sets.values():
        if cs.change_set_name == change_set_name and stack_name in (cs.stack_name, cs.stack_id):
            raise AlreadyExistsException(
                f"ChangeSet {change_set_name} already exists for stack {stack_name}"
            )
    return _create_change_set(self, stack_name, change_set_name, *args, **kwargs)


_cfn_models.CloudFormationBackend.create_change_set = _strict_create_change_set
_cfn_responses.CloudFormationResponse.describe_change_set = _strict_describe_change_set
_cfn_responses.CloudFormationResponse.execute_change_set = _strict_execute_change_set


# --- CloudFormation: a CREATE change set for a stack under review --------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
# (ChangeSetType: "If you create a change set for a new stack, CloudFormation creates a stack
# with a unique stack ID, but no template or resources. The stack will be in the
# REVIEW_IN_PROGRESS state until you execute the change set"; "you can't use ... the CREATE
# type to create a change set for an existing stack"). A REVIEW_IN_PROGRESS stack counts as not
# yet existing (aws-cdk#7731: CREATE, not UPDATE, is the type for it), so a second CREATE change
# set for its name goes onto that same stack, same StackId; once the stack exists (executed),
# CREATE is refused with ValidationError "Stack [name] already exists and cannot be created
# again with the changeSet [cs]". moto makes a second stack with a new id each time.
def _review_stack(backend, stack_name):
    for stack in backend.stacks.values():
        if stack.name == stack_name and stack.status != "DELETE_COMPLETE":
            return stack
    return None


# The same page: "By default, CloudFormation specifies UPDATE" when ChangeSetType is omitted;
# moto defaults to CREATE.
_omitted_type = threading.local()
_cfn_create_change_set_response = _cfn_responses.CloudFormationResponse.create_change_set


def _create_change_set_response(self):
    _omitted_type.update = self._get_param("ChangeSetType") is None
    try:
        return _cfn_create_change_set_response(self)
    finally:
        _omitted_type.update = False


_cfn_responses.CloudFormationResponse.create_change_set = _create_change_set_response


def _create_onto_review_stack(self, stack_name, change_set_name, *args, **kwargs):
    if getattr(_omitted_type, "update", False):
        kwargs["change_set_type"] = "UPDATE"
    change_set_type = kwargs.get("change_set_type", args[4] if len(args) > 4 else None)
    existing = _review_stack(self, stack_name) if change_set_type == "CREATE" else None
    if existing is None:
        return _strict_create_change_set(self, stack_name, change_set_name, *args, **kwargs)
    if existing.status != "REVIEW_IN_PROGRESS":
        raise ValidationError(
            stack_name,
            message=f"Stack [{stack_name}] already exists and cannot be created again with the "
            f"changeSet [{change_set_name}].",
        )
    change_set_id, made_id = _strict_create_change_set(
        self, stack_name, change_set_name, *args, **kwargs
    )
    # The change set moves onto the stack under review; the stack moto made for it goes.
    made = self.stacks.pop(made_id)
    cs = self.change_sets[change_set_id]
    cs.stack, cs.stack_id, cs.stack_name = existing, existing.stack_id, existing.name
    del made
    return change_set_id, existing.stack_id


_cfn_models.CloudFormationBackend.create_change_set = _create_onto_review_stack


# --- CloudFormation: ListChangeSets lists one stack's ----------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListChangeSets.html
# ("Returns the ID and status of each active change set for a stack"; StackName is required).
# moto ignores StackName and lists every change set in the region.
def _strict_list_change_sets(self):
    stack = self._get_param("StackName")
    change_sets = [
        cs
        for cs in self.cloudformation_backend.list_change_sets()
        if stack in (cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": change_sets})


_cfn_responses.CloudFormationResponse.list_change_sets = _strict_list_change_sets


# --- CloudFormation: each operation's events carry its ClientRequestToken --------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html
# (ClientRequestToken: "The token passed to the operation that generated this event. All events
# triggered by a given stack operation are assigned the same client request token, which you can
# use to track operations."). moto never sets it, so a watch cannot tell its own operation's
# events from a stale status or someone else's change.
def _all_stacks(backend):
    return list(backend.stacks.values()) + list(backend.deleted_stacks.values())


def _stamping(action):
    def stamped(self):
        token = self._get_param("ClientRequestToken")
        backend = self.cloudformation_backend
        before = {id(e) for s in _all_stacks(backend) for e in s.events}
        result = action(self)
        if token:
            for stack in _all_stacks(backend):
                for event in stack.events:
                    if id(event) not in before:
                        event.client_request_token = token
        return result

    return stamped


for _action in ("create_stack", "update_stack", "delete_stack", "execute_change_set"):
    setattr(
        _cfn_responses.CloudFormationResponse,
        _action,
        _stamping(getattr(_cfn_responses.CloudFormationResponse, _action)),
    )


# --- CloudFormation: one call at a time ------------------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
# (DescribeStacks "returns the description" of a stack: reading never makes anything). moto
# makes a stack's resources lazily, and a DescribeStacks that arrives while CreateStack is still
# running (the sandbox's watcher polls) evaluates the outputs and so creates the resources they
# name from its own thread: both threads then create the same log group, and CreateStack fails
# with a Logs ResourceAlreadyExistsException (seen on a loaded machine). Serialized here.
_cfn_lock = threading.RLock()
_cfn_call_action = _cfn_responses.CloudFormationResponse.call_action


def _serialized_call_action(self):
    with _cfn_lock:
        return _cfn_call_action(self)


_cfn_responses.CloudFormationResponse.call_action = _serialized_call_action


# --- CloudFormation: termination protection and the stack's service role on delete -----------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html
# ("If a user attempts to delete a stack with termination protection enabled, the operation
# fails and the stack remains unchanged"; AWS answers DeleteStack with ValidationError "Stack
# [NAME] cannot be deleted while TerminationProtection is enabled"). moto deletes a protected
# stack and has no UpdateTerminationProtection.
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html
# (RoleARN: "If you don't specify a value, CloudFormation uses the role that was previously
# associated with the stack"): when that role no longer exists AWS answers "Role ARN is invalid
# or cannot be assumed" and the delete needs another RoleARN. moto never assumes a role.
def _live_stack(backend, name_or_id):
    for stack in backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id) and stack.status != "DELETE_COMPLETE":
            return stack
    return None


def _role_exists(account_id, role_arn):
    from moto.iam.models import iam_backends

    name = role_arn.rsplit("/", 1)[-1]
    roles = iam_backends[account_id]["global"].roles.values()
    return any(r.name == name for r in roles)


_cfn_delete_stack_response = _cfn_responses.CloudFormationResponse.delete_stack


def _protected_delete_stack(self):
    name = self._get_param("StackName")
    stack = _live_stack(self.cloudformation_backend, name)
    if stack is not None:
        if stack.enable_termination_protection:
            raise ValidationError(
                name,
                message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled",
            )
        role = self._get_param("RoleARN") or stack.role_arn
        if role and not _role_exists(self.current_account, role):
            raise ValidationError(name, message=f"Role {role} is invalid or cannot be assumed")
    return _cfn_delete_stack_response(self)


def _update_termination_protection(self):
    name = self._get_param("StackName")
    stack = _live_stack(self.cloudformation_backend, name)
    if stack is None:
        raise ValidationError(name)
    stack.enable_termination_protection = _truthy(self._get_param("EnableTerminationProtection"))
    return ActionResult({"StackId": stack.stack_id})


_cfn_responses.CloudFormationResponse.delete_stack = _protected_delete_stack
_cfn_responses.CloudFormationResponse.update_termination_protection = (
    _update_termination_protection
)


# --- CloudFormation: an update honours resource conditions -------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
# (a resource with a condition is created only when the condition is true). moto's update
# re-parses every resource whose parameters it thinks changed (UsePreviousValue on a parameter
# left at its default counts as a change) without looking at its Condition, so a direct-mode
# relay stack fails its update on the buffered-only resources ("Fn::GetAtt references undefined
# resource Buffer"); and one that becomes true is "updated" though it never existed.
import moto.cloudformation.parsing as _cfn_parsing  # noqa: E402

_parse_and_update = _cfn_parsing.parse_and_update_resource


def _conditional_update(logical_id, resource_json, resources_map, account_id, region_name):
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    if condition and resources_map._parsed_resources.get(logical_id) is None:
        return _cfn_parsing.parse_and_create_resource(
            logical_id, resource_json, resources_map, account_id, region_name
        )
    return _parse_and_update(logical_id, resource_json, resources_map, account_id, region_name)


_cfn_parsing.parse_and_update_resource = _conditional_update


# --- CloudFormation: change sets follow resource conditions ------------------------------------
# Same page: a resource whose condition is false is not part of the stack. AWS's change set adds
# a resource whose condition turns true, removes one whose condition turns false, and lists
# nothing for one that stays false; moto diffs the Resources sections only (every conditional
# resource of a new stack shows as Add) and its update never creates or deletes on a condition.
def _condition(expr, conditions, params):
    if isinstance(expr, dict):
        (fn, arg), = expr.items()
        # moto's YAML reads `!Condition Name` as Fn::Condition (see cloudformation_conditions).
        if fn in ("Condition", "Fn::Condition"):
            return _condition(conditions[arg], conditions, params)
        if fn == "Fn::Equals":
            return _cond_value(arg[0], params) == _cond_value(arg[1], params)
        if fn == "Fn::Not":
            return not _condition(arg[0], conditions, params)
        if fn == "Fn::And":
            return all(_condition(a, conditions, params) for a in arg)
        if fn == "Fn::Or":
            return any(_condition(a, conditions, params) for a in arg)
    raise ValueError(f"condition not understood: {expr!r}")


def _cond_value(value, params) -> str:
    if isinstance(value, dict) and "Ref" in value:
        value = params.get(value["Ref"], "")
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return str(value)


def _wanted(change_set) -> dict:
    """Each conditional resource of the change set's template: whether its condition holds.
    (Unconditional ones are left to moto: it drops some from its map on update, e.g. a log
    group, though they exist.)"""
    tpl = change_set.template_dict or {}
    params = {k: v.get("Default", "") for k, v in (tpl.get("Parameters") or {}).items()}
    params.update(change_set.parameters or {})
    conditions = tpl.get("Conditions") or {}
    return {
        name: _condition({"Condition": res["Condition"]}, conditions, params)
        for name, res in (tpl.get("Resources") or {}).items()
        if res.get("Condition")
    }


def _exists(change_set, name) -> bool:
    if change_set.change_set_type == "CREATE":
        return False
    return change_set.stack.resource_map._parsed_resources.get(name) is not None


_diff = _cfn_models.ChangeSet.diff
_apply = _cfn_models.ChangeSet.apply


def _conditional_diff(self):
    wanted = _wanted(self)
    types = {n: r["Type"] for n, r in (self.template_dict.get("Resources") or {}).items()}
    changes = []
    for change in _diff(self):
        name = change.logical_resource_id
        if name not in wanted:  # unconditional, or gone from the template: moto's change stands
            changes.append(change)
        elif wanted[name] and not _exists(self, name):
            changes.append(_cfn_models.Change("Add", name, types[name]))
        elif not wanted[name] and _exists(self, name):
            changes.append(_cfn_models.Change("Remove", name, types[name]))
        elif wanted[name]:
            changes.append(change)
    listed = {c.logical_resource_id for c in changes}
    for name, on in wanted.items():  # unchanged text, flipped condition: moto lists nothing
        if name not in listed and self.change_set_type != "CREATE" and on != _exists(self, name):
            changes.append(_cfn_models.Change("Add" if on else "Remove", name, types[name]))
    return changes


def _conditional_apply(self):
    # moto's update "modifies" a resource whose parameters changed and, its condition now false,
    # stores None for it (_conditional_update): keep what existed to delete it below.
    before = {} if self.change_set_type == "CREATE" else dict(self.stack.resource_map._parsed_resources)
    _apply(self)
    # moto keeps the stack's creation parameters, so a later change set back to them is
    # "no changes" (UNAVAILABLE) although the stack runs with others.
    self.stack.parameters = dict(self.parameters or {})
    resources = self.stack.resource_map
    for name, on in _wanted(self).items():
        res_json = self.template_dict["Resources"][name]
        existing = resources._parsed_resources.get(name) or before.get(name)
        if on and existing is None:
            resources._parsed_resources[name] = _cfn_parsing.parse_and_create_resource(
                name, res_json, resources, resources._account_id, resources._region_name)
        elif not on and existing is not None:
            resources._delete_resource(existing, res_json)
            resources._parsed_resources[name] = None


_cfn_models.ChangeSet.diff = _conditional_diff
_cfn_models.ChangeSet.apply = _conditional_apply
