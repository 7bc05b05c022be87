"""SQS: the queue rules moto does not enforce."""

import os
import time

import moto.sqs.models as _sqs_models
from moto.sqs.exceptions import InvalidAttributeValue, SQSException

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


# --- SQS: MaximumMessageSize 1,024–1,048,576 bytes, on SetQueueAttributes too -------------------
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# (MaximumMessageSize: "An integer from 1,024 bytes (1 KiB) up to 1,048,576 bytes (1 MiB)";
# error InvalidAttributeValue). moto checks the range on CreateQueue only and stores any value
# SetQueueAttributes sends.
_set_queue_attributes = _sqs_models.SQSBackend.set_queue_attributes


def _strict_set_queue_attributes(self, queue_name, attributes):
    size = attributes.get("MaximumMessageSize")
    if size is not None and not 1024 <= int(size) <= 1_048_576:
        raise InvalidAttributeValue("MaximumMessageSize")
    return _set_queue_attributes(self, queue_name, attributes)


_sqs_models.SQSBackend.set_queue_attributes = _strict_set_queue_attributes
