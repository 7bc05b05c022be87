"""CloudWatch Logs: quotas moto must keep enforcing."""

import moto.logs.models as _logs_models

# --- CloudWatch Logs: 10 resource policies per region -----------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
# ("An account can have a maximum of 10 policies without resourceARN"; the quota cannot be
# raised: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
# moto enforces it already (LimitExceededException on the 11th name); fail loudly if a moto
# upgrade drops it, rather than let the tests that rely on it pass for the wrong reason.
assert _logs_models.MAX_RESOURCE_POLICIES_PER_REGION == 10, "moto's Logs policy quota changed"


# --- CloudFormation creating a log group whose name is taken -----------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
# (ResourceAlreadyExistsException: "The specified resource already exists") and
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
# (OnFailure defaults to ROLLBACK): on AWS the CreateStack / ExecuteChangeSet call succeeds, the
# AWS::Logs::LogGroup resource fails with "already exists", and the stack rolls back to
# ROLLBACK_COMPLETE, deleting what it had made — never the group that was there before. moto
# lets the Logs error escape CreateStack as a JSON body on an XML API (unparseable) and leaves
# a change-set execution half-applied.
import moto.cloudformation.models as _cfn_models  # noqa: E402
from moto.logs.exceptions import ResourceAlreadyExistsException  # noqa: E402


class _LogGroupTaken(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


_create_log_group_cfn = _logs_models.LogGroup.create_from_cloudformation_json.__func__


def _strict_create_log_group_cfn(cls, resource_name, cloudformation_json, *args, **kwargs):
    try:
        return _create_log_group_cfn(cls, resource_name, cloudformation_json, *args, **kwargs)
    except ResourceAlreadyExistsException:
        name = (cloudformation_json.get("Properties") or {}).get("LogGroupName", resource_name)
        raise _LogGroupTaken(name) from None


_logs_models.LogGroup.create_from_cloudformation_json = classmethod(_strict_create_log_group_cfn)


def _roll_back(stack, taken):
    reason = (
        "The following resource(s) failed to create: [LogGroup]. Resource handler returned "
        f"message: \"Resource of type 'AWS::Logs::LogGroup' with identifier '{taken.name}' "
        "already exists.\" (HandlerErrorCode: AlreadyExists)"
    )
    stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    try:
        stack.resource_map.delete()
    except Exception:  # noqa: BLE001 - moto skips some resource types; what it made is gone
        pass
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"


_create_resources = _cfn_models.Stack.create_resources


def _strict_create_resources(self):
    try:
        _create_resources(self)
    except _LogGroupTaken as taken:
        _roll_back(self, taken)


_cfn_models.Stack.create_resources = _strict_create_resources

_execute_change_set = _cfn_models.CloudFormationBackend.execute_change_set


def _strict_execute_change_set(self, change_set_name, stack_name=None):
    try:
        return _execute_change_set(self, change_set_name, stack_name)
    except _LogGroupTaken as taken:
        change_set = self.change_sets.get(change_set_name) or next(
            cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name
        )
        change_set.execution_status = "EXECUTE_FAILED"
        _roll_back(self.stacks[change_set.stack_id], taken)


_cfn_models.CloudFormationBackend.execute_change_set = _strict_execute_change_set
