"""Lambda event source mappings (SQS → Lambda): the rules AWS applies and moto does not, and
moto's own mapping kept from touching the queue."""

import moto.awslambda.models as _lambda_models
from moto.awslambda.exceptions import (
    InvalidParameterValueException,
    LambdaClientError,
    ValidationException,
)
from moto.cloudformation.exceptions import ValidationError as _StackError
from moto.sqs.models import sqs_backends


def _queue(backend, arn):
    for queue in sqs_backends[backend.account_id][backend.region_name].queues.values():
        if queue.queue_arn == arn:
            return queue
    return None


def _check(backend, spec: dict) -> None:
    # --- MaximumConcurrency 2–1000 ------------------------------------------------------------
    # https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html (MaximumConcurrency:
    # "Valid Range: Minimum value of 2. Maximum value of 1000"); the API answers an out-of-range
    # value with a model ValidationException.
    concurrency = (spec.get("ScalingConfig") or {}).get("MaximumConcurrency")
    if concurrency is not None and not 2 <= int(concurrency) <= 1000:
        bound = "greater than or equal to 2" if int(concurrency) < 2 else "less than or equal to 1000"
        raise ValidationException(
            concurrency, "scalingConfig.maximumConcurrency", f"Member must have value {bound}"
        )

    # --- BatchSize 1–10,000, above 10 only with a batching window ------------------------------
    # https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html (BatchSize:
    # "Amazon Simple Queue Service – Default 10. For standard queues the maximum is 10,000";
    # "Valid Range: Minimum value of 1"; MaximumBatchingWindowInSeconds: "when you set BatchSize
    # to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1";
    # "Valid Range: Minimum value of 0. Maximum value of 300").
    batch = int(spec.get("BatchSize") or 10)
    window = int(spec.get("MaximumBatchingWindowInSeconds") or 0)
    if not 1 <= batch <= 10000:
        bound = "greater than or equal to 1" if batch < 1 else "less than or equal to 10000"
        raise ValidationException(batch, "batchSize", f"Member must have value {bound}")
    if not 0 <= window <= 300:
        bound = "greater than or equal to 0" if window < 0 else "less than or equal to 300"
        raise ValidationException(
            window, "maximumBatchingWindowInSeconds", f"Member must have value {bound}"
        )
    if batch > 10 and window < 1:
        raise InvalidParameterValueException(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10"
        )

    # --- FunctionResponseTypes: ReportBatchItemFailures only ---------------------------------
    # https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
    # (FunctionResponseTypes: "Valid Values: ReportBatchItemFailures").
    for kind in spec.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            raise ValidationException(
                spec["FunctionResponseTypes"],
                "functionResponseTypes",
                "Member must satisfy constraint: [Member must satisfy enum value set: "
                "[ReportBatchItemFailures]]",
            )

    # --- The function's timeout must fit in the queue's visibility timeout --------------------
    # https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html ("Your function's
    # timeout must be less than or equal to the queue's visibility timeout. Lambda validates this
    # requirement when you create or update an event source mapping"; it recommends at least six
    # times the function timeout). AWS answers
    # InvalidParameterValueException "Queue visibility timeout: 60 seconds is less than Function
    # timeout: 120 seconds" (the message as operators report it, e.g. hashicorp/
    # terraform-provider-aws#18099).
    queue = _queue(backend, spec.get("EventSourceArn", ""))
    name = spec.get("FunctionName")
    if queue is not None and name:
        function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(name)
        visibility, timeout = int(queue.visibility_timeout), int(function.timeout)
        if visibility < timeout:
            raise InvalidParameterValueException(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
                f"{timeout} seconds"
            )


_create = _lambda_models.LambdaBackend.create_event_source_mapping
_update = _lambda_models.LambdaBackend.update_event_source_mapping


def _strict_create(self, spec):
    _check(self, spec)
    esm = _create(self, spec)
    # --- moto's mapping never polls ------------------------------------------------------------
    # moto "invokes" an enabled SQS mapping on every SendMessage: it receives the batch (bumping
    # ApproximateReceiveCount), fails to run the function without Docker, and makes the messages
    # visible again, so they reach the DLQ with no consumer at all (notes/moto.md). AWS's poller
    # is a service of its own: here the mapping is stored, listed and Enabled as on AWS, and the
    # sandbox plays the poller (tests/sandbox/esm_poller.py). Unhooking the mapping from the
    # queue instead of disabling it after deploy keeps State "Enabled" (what status shows on
    # AWS) and leaves no window between CREATE_COMPLETE and the disable call.
    queue = _queue(self, esm.event_source_arn)
    if queue is not None:
        queue.lambda_event_source_mappings.pop(esm.function_arn, None)
    return esm


def _strict_update(self, uuid, spec):
    esm = self.get_event_source_mapping(uuid)
    if esm is not None:
        merged = {
            "EventSourceArn": esm.event_source_arn,
            "FunctionName": esm.function_arn,
            "BatchSize": esm.batch_size,
            "MaximumBatchingWindowInSeconds": esm.max_batch_window,
            "ScalingConfig": esm.scaling_config,
            "FunctionResponseTypes": esm.function_response_types,
        }
        merged.update(spec)
        _check(self, merged)
    return _update(self, uuid, spec)


_lambda_models.LambdaBackend.create_event_source_mapping = _strict_create
_lambda_models.LambdaBackend.update_event_source_mapping = _strict_update


# --- Through CloudFormation: the resource fails, the stack reports why -------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html: a failed
# resource's status reason carries the handler's message, as operators report it: "Resource
# handler returned message: \"Invalid request provided: Queue visibility timeout: 30 seconds is
# less than Function timeout: 120 seconds (Service: Lambda, Status Code: 400 ...)\""
# (mongodb/docs-worker-pool#878). moto has no per-resource
# events and surfaces a failing resource as CreateStack's error (notes/moto.md); it must then be
# a CloudFormation error, not Lambda's JSON inside CloudFormation's XML.
_from_cfn = _lambda_models.EventSourceMapping.create_from_cloudformation_json.__func__


def _strict_from_cfn(cls, resource_name, cloudformation_json, *args, **kwargs):
    try:
        return _from_cfn(cls, resource_name, cloudformation_json, *args, **kwargs)
    except LambdaClientError as e:
        raise _StackError(
            message=f"Resource handler returned message: \"Invalid request provided: {e.message}\" "
            f"(Service: Lambda, Status Code: 400) for {resource_name}"
        ) from e


_lambda_models.EventSourceMapping.create_from_cloudformation_json = classmethod(_strict_from_cfn)
