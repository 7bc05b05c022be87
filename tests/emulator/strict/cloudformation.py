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
