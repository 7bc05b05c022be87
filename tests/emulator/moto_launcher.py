"""The strict emulator: moto_server with AWS's rules that moto does not enforce, so a test fails
the way a real account would. Every rule below cites the AWS page it follows; a workaround for
moto never goes into src/ or the template, it goes here (or into a test fixture).

    python tests/emulator/moto_launcher.py -H 127.0.0.1 -p PORT    (moto_server's arguments)

Both the Rust integration tests (tests/it/harness.rs) and the Python sandbox
(tests/sandbox/moto_proc.py) start moto through this file.

Environment:
  EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW  seconds a deleted queue's name stays blocked (default
                                         60, as on AWS; tests set a short window).
  EVRELAY_EMULATOR_NOECHO_IN_CLEAR=1     DescribeStacks returns NoEcho parameters in clear (moto's
                                         behaviour; only the sandbox sets it, see below).
"""

import copy
import os
import sys
import threading
import time

import moto.cloudformation.models as _cfn_models
import moto.cloudformation.responses as _cfn_responses
import moto.ec2.models.security_groups as _ec2_sg
import moto.ec2.models.vpcs as _ec2_vpcs
import moto.events.models as _events_models
import moto.logs.models as _logs_models
import moto.sqs.models as _sqs_models
from moto.ec2.exceptions import EC2ClientError
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.server import main
from moto.sqs.exceptions import SQSException


def _truthy(value) -> bool:
    # moto keeps ModifyVpcAttribute's value as the request sent it: a bool or "true"/"false".
    return value is True or str(value).lower() == "true"


# --- EventBridge → CloudWatch Logs: integer timestamps ---------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_OutputLogEvent.html
# (timestamp: Long). moto's EventBridge log target stores a float (unix_time_millis() returns
# e.g. 1795510793010.68) and the Rust SDK then fails to parse FilterLogEvents ("invalid number").
_unix_time_millis = _events_models.unix_time_millis


def _int_millis(*args, **kwargs) -> int:
    return int(_unix_time_millis(*args, **kwargs))


_events_models.unix_time_millis = _int_millis


# --- Interface endpoints with private DNS ------------------------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
# (PrivateDnsEnabled: "To use a private hosted zone, you must set the following VPC attributes
# to true: enableDnsHostnames and enableDnsSupport").
# https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
# (DNS hostnames: one private hosted zone per service name and VPC, so a second private-DNS
# endpoint for the same service in the VPC fails with "conflicting DNS domain").
_LIVE_ENDPOINT_STATES = {"pendingacceptance", "pending", "available", "partial", "deleting"}
_create_vpc_endpoint = _ec2_vpcs.VPCBackend.create_vpc_endpoint


def _strict_create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
    interface = (endpoint_type or "").lower() == "interface"
    private_dns = kwargs.get("private_dns_enabled")
    if interface and private_dns:
        vpc = self.get_vpc(vpc_id)
        if not (_truthy(vpc.enable_dns_support) and _truthy(vpc.enable_dns_hostnames)):
            raise EC2ClientError(
                "InvalidParameter",
                "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
                f"VPC attributes set to true for {vpc_id}",
            )
        for other in self.vpc_end_points.values():
            if (
                other.vpc_id == vpc_id
                and other.service_name == service_name
                and other.private_dns_enabled
                and other.state in _LIVE_ENDPOINT_STATES
            ):
                host = service_name.split(".")[-1] + "." + service_name.split(".")[-2]
                raise EC2ClientError(
                    "InvalidParameter",
                    "private-dns-enabled cannot be set because there is already a conflicting "
                    f"DNS domain for {host}.amazonaws.com in the VPC {vpc_id}",
                )
    return _create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs)


_ec2_vpcs.VPCBackend.create_vpc_endpoint = _strict_create_vpc_endpoint


# --- A security group in use cannot be deleted -------------------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html
# ("If you attempt to delete a security group that is associated with an instance or network
# interface ... the operation fails with DependencyViolation"). An interface endpoint's network
# interfaces hold its groups until the endpoint is deleted; moto deletes the group regardless.
_delete_security_group = _ec2_sg.SecurityGroupBackend._delete_security_group


def _strict_delete_security_group(self, vpc_id, group_id):
    for endpoint in getattr(self, "vpc_end_points", {}).values():
        if group_id in endpoint.security_group_ids and endpoint.state != "deleted":
            raise EC2ClientError(
                "DependencyViolation",
                f"resource {group_id} has a dependent object",
            )
    return _delete_security_group(self, vpc_id, group_id)


_ec2_sg.SecurityGroupBackend._delete_security_group = _strict_delete_security_group


# --- SQS: a deleted queue's name is blocked for 60 s ------------------------------------------
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
# ("When you delete a queue, you must wait at least 60 seconds before creating a queue with the
# same name") and API_CreateQueue.html (error QueueDeletedRecently). CloudFormation's
# AWS::SQS::Queue goes through the same CreateQueue, so a stack re-created too soon rolls back.
def _queue_window() -> float:
    return float(os.environ.get("EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW", "60"))


_delete_queue = _sqs_models.SQSBackend.delete_queue
_create_queue = _sqs_models.SQSBackend.create_queue


def _recording_delete_queue(self, queue_name):
    _delete_queue(self, queue_name)
    deleted = self.__dict__.setdefault("_evrelay_deleted_at", {})
    deleted[queue_name] = time.monotonic()


def _strict_create_queue(self, name, *args, **kwargs):
    deleted_at = self.__dict__.get("_evrelay_deleted_at", {}).get(name)
    if name not in self.queues and deleted_at is not None:
        if time.monotonic() - deleted_at < _queue_window():
            raise SQSException(
                "AWS.SimpleQueueService.QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create "
                "another with the same name.",
            )
    return _create_queue(self, name, *args, **kwargs)


_sqs_models.SQSBackend.delete_queue = _recording_delete_queue
_sqs_models.SQSBackend.create_queue = _strict_create_queue


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


# --- CloudWatch Logs: 10 resource policies per region -----------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
# ("An account can have a maximum of 10 policies without resourceARN"; the quota cannot be
# raised: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
# moto enforces it already (LimitExceededException on the 11th name); fail loudly if a moto
# upgrade drops it, rather than let the tests that rely on it pass for the wrong reason.
assert _logs_models.MAX_RESOURCE_POLICIES_PER_REGION == 10, "moto's Logs policy quota changed"


# --- Private NAT gateways ----------------------------------------------------------------------
# https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html ("Private NAT gateway
# ... Instances in private subnets can connect to other VPCs or your on-premises network ...
# cannot be used to reach the internet"). moto models ConnectivityType=private (no Elastic IP)
# and returns it from DescribeNatGateways: nothing to patch; evrelay reads it (a private NAT
# is no path to EventBridge).

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
