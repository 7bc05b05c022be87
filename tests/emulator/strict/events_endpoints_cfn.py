"""CloudFormation: AWS::Events::Endpoint, which moto 5.2.5 skips (a template with one would create
no endpoint and resolve its Ref and GetAtt to nothing).

https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-endpoint.html
and the resource's provider schema (cfn-lint ships it: primaryIdentifier /properties/Name,
readOnlyProperties Arn, EndpointId, EndpointUrl, State, StateReason; Name "Update requires:
Replacement", the rest "No interruption"; Name optional): Ref returns the Name, Fn::GetAtt the five
read-only properties. CloudFormation's handler waits until the endpoint is ACTIVE (or gone) before
the resource completes, so the endpoint is settled at once here. A refused endpoint fails the
resource and the stack rolls back (API_CreateStack.html OnFailure, default ROLLBACK; an update to
UPDATE_ROLLBACK_COMPLETE): the CreateStack / UpdateStack / ExecuteChangeSet call itself succeeds."""

import copy

import moto.cloudformation.models as _cfn_models
import moto.cloudformation.parsing as _cfn_parsing
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError

from strict import events_endpoints as _endpoints

_ATTRIBUTES = ("Arn", "EndpointId", "EndpointUrl", "State", "StateReason")
_PROPERTIES = ("Name", "Description", "RoutingConfig", "ReplicationConfig", "EventBuses",
               "RoleArn")


class _EndpointRefused(Exception):
    def __init__(self, logical_id: str, error: JsonRESTError):
        super().__init__(error.message)
        self.logical_id, self.error = logical_id, error


class EventsEndpoint(CloudFormationModel):
    def __init__(self, account_id: str, region: str, endpoint: dict):
        self.account_id, self.region, self.endpoint = account_id, region, endpoint

    @property
    def physical_resource_id(self) -> str:
        return self.endpoint["Name"]

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Events::Endpoint"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in _ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in _ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.endpoint.get(attribute_name)

    @staticmethod
    def _body(resource_name: str, cloudformation_json) -> dict:
        properties = dict(cloudformation_json.get("Properties") or {})
        properties.setdefault("Name", resource_name)
        return {k: properties[k] for k in _PROPERTIES if properties.get(k) is not None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        try:
            endpoint = _endpoints.create(account_id, region_name, "aws",
                                         cls._body(resource_name, cloudformation_json),
                                         settle=False)
        except JsonRESTError as error:
            raise _EndpointRefused(kwargs.get("LogicalId") or resource_name, error) from None
        return cls(account_id, region_name, endpoint)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        body = cls._body(new_resource_name, cloudformation_json)
        if body["Name"] != original_resource.endpoint["Name"]:  # replacement
            created = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                          account_id, region_name)
            original_resource.delete(account_id, region_name)
            return created
        try:
            original_resource.endpoint = _endpoints.update(account_id, region_name, body,
                                                           settle=False)
        except JsonRESTError as error:
            logical_id = getattr(original_resource, "logical_resource_id", None) or body["Name"]
            raise _EndpointRefused(logical_id, error) from None
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        if resource_name in _endpoints.endpoints(account_id, region_name):
            _endpoints.delete(account_id, region_name, resource_name, settle=False)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.endpoint["Name"], {}, account_id, region_name)


# moto builds its type map once, from CloudFormationModel's subclasses.
for _cached in (_cfn_parsing.get_model_list, _cfn_parsing.get_model_map,
                _cfn_parsing.get_name_type_map):
    _cached.cache_clear()


# --- A refused endpoint rolls the stack back -----------------------------------------------------
def _handler_message(refused: _EndpointRefused) -> str:
    code = "AlreadyExists" if refused.error.error_type.endswith("AlreadyExistsException") else (
        "InvalidRequest")
    return (f"Resource handler returned message: \"{refused.error.message} (Service: "
            f"EventBridge, Status Code: 400)\" (HandlerErrorCode: {code})")


def _roll_back(stack, refused: _EndpointRefused) -> None:
    reason = (f"The following resource(s) failed to create: [{refused.logical_id}]. "
              + _handler_message(refused))
    stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    try:
        stack.resource_map.delete()
    except Exception:  # noqa: BLE001 - moto skips some resource types; what it made is gone
        pass
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"
    # A rolled-back stack has no outputs; moto would resolve them, re-creating the resource.
    stack.output_map = _NoOutputs()


class _NoOutputs(dict):
    exports: list = []


def _map_state(stack) -> dict:
    """What moto's ResourceMap.update replaces before it updates resources (template, parameters,
    conditions): restored after a refusal, so the next update is diffed against the stack as it
    stands."""
    return {k: copy.copy(v) if isinstance(v, (dict, list)) else v
            for k, v in stack.resource_map.__dict__.items() if k != "_parsed_resources"}


def _roll_back_update(stack, refused: _EndpointRefused, template=None, state=None) -> None:
    """An update whose endpoint is refused: the endpoint was left as it was, the stack keeps its
    template (what else the update had changed stays changed: moto cannot undo it)."""
    if state is not None:
        stack.resource_map.__dict__.update(state)
    stack._add_stack_event("UPDATE_FAILED", resource_status_reason=_handler_message(refused))
    stack._add_stack_event(
        "UPDATE_ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to update: "
                               f"[{refused.logical_id}].",
    )
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    if template is not None:
        stack.template = template
        stack._parse_template()


_stack_update = _cfn_models.Stack.update


def _update_or_roll_back(self, template, *args, **kwargs):
    before, state = self.template, _map_state(self)
    try:
        _stack_update(self, template, *args, **kwargs)
    except _EndpointRefused as refused:
        _roll_back_update(self, refused, before, state)


_cfn_models.Stack.update = _update_or_roll_back

_create_resources = _cfn_models.Stack.create_resources


def _create_resources_or_roll_back(self):
    try:
        _create_resources(self)
    except _EndpointRefused as refused:
        _roll_back(self, refused)


_cfn_models.Stack.create_resources = _create_resources_or_roll_back

_execute_change_set = _cfn_models.CloudFormationBackend.execute_change_set


def _execute_change_set_or_roll_back(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
    )
    stack = self.stacks.get(change_set.stack_id) if change_set else None
    state = _map_state(stack) if stack else None
    try:
        return _execute_change_set(self, change_set_name, stack_name)
    except _EndpointRefused as refused:
        change_set.execution_status = "EXECUTE_FAILED"
        if change_set.change_set_type == "CREATE":
            _roll_back(stack, refused)
        else:
            _roll_back_update(stack, refused, state=state)


_cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set_or_roll_back
