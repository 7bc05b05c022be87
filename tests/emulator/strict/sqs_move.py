"""SQS dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks and
CancelMessageMoveTask, which moto 5.2.5 does not have (it answers 500). A task runs in a thread
of its own, as on AWS where it is asynchronous: RUNNING, then COMPLETED (or CANCELLED, FAILED).

The pages every rule below follows:
  API: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
       https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html
       https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CancelMessageMoveTask.html
       https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasksResultEntry.html
  Guide: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
Error codes and messages are AWS's as recorded against a real account in localstack's snapshot
tests (tests/aws/services/sqs/test_sqs_move_task.snapshot.json); the API pages list the codes.
"""

import base64
import json
import threading
import time
import uuid

import moto.sqs.models as _sqs_models
import moto.sqs.responses as _sqs_responses
from moto.core.responses import ActionResult
from moto.sqs.exceptions import SQSException

# "If this field is left blank, the system will optimize the rate": any fast rate will do here.
_SYSTEM_RATE = 500


class _NotFound(SQSException):
    code = "ResourceNotFoundException"

    def __init__(self, message: str):
        super().__init__("ResourceNotFoundException", message)
        self.code = "ResourceNotFoundException"


def _invalid(message: str) -> SQSException:
    return SQSException("InvalidParameterValue", message)


def _queue_by_arn(backend, arn):
    for queue in backend.queues.values():
        if queue.queue_arn == arn:
            return queue
    return None


def _tasks(backend) -> list:
    return backend.__dict__.setdefault("_evrelay_move_tasks", [])


# --- Where a DLQ message came from -----------------------------------------------------------
# "If this field [DestinationArn] is left blank, the messages will be redriven back to their
# respective original source queues": SQS remembers, per message, the queue whose redrive policy
# moved it. moto moves the message object on receive and keeps no trace: record it here.
_receive = _sqs_models.SQSBackend.receive_message


def _tracking_receive(self, queue_name, *args, **kwargs):
    queue = self.get_queue(queue_name)
    before = {m.id for m in queue._messages}
    result = _receive(self, queue_name, *args, **kwargs)
    dlq = queue.dead_letter_queue
    if dlq is not None:
        for m in dlq._messages:
            if m.id in before and not hasattr(m, "_evrelay_dlq_source"):
                m._evrelay_dlq_source = queue.queue_arn
    return result


_sqs_models.SQSBackend.receive_message = _tracking_receive


class _Task:
    def __init__(self, backend, source, destination_arn, rate):
        self.id = str(uuid.uuid4())
        self.backend = backend
        self.source = source
        self.destination_arn = destination_arn
        self.rate = rate
        self.status = "RUNNING"
        self.moved = 0
        # "This number is obtained at the time of starting the message movement task."
        self.to_move = sum(1 for m in source._messages if m.visible and not m.delayed)
        self.started = int(time.time() * 1000)
        self.failure = None
        self.cancel = threading.Event()
        payload = json.dumps({"taskId": self.id, "sourceArn": source.queue_arn})
        self.handle = base64.b64encode(payload.encode()).decode()

    def entry(self) -> dict:
        out = {
            "SourceArn": self.source.queue_arn,
            "Status": self.status,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started,
        }
        # DestinationArn and the rate only "if [they have] been specified"; the handle only
        # while the task runs ("only populated when the task is in RUNNING state").
        if self.destination_arn:
            out["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            out["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.status == "RUNNING":
            out["TaskHandle"] = self.handle
        if self.failure:
            out["FailureReason"] = self.failure
        return out

    def _next(self):
        """The oldest visible message ("Dead-letter queues redrive messages in the order they are
        received, starting with the oldest message")."""
        with self.source._messages_lock:
            for m in self.source._messages:
                if m.visible and not m.delayed:
                    return m
        return None

    def run(self):
        pause = 1.0 / (self.rate or _SYSTEM_RATE)
        while self.moved < self.to_move:
            if self.cancel.wait(pause):
                self.status = "CANCELLED"
                return
            m = self._next()
            if m is None:
                break
            target_arn = self.destination_arn or getattr(m, "_evrelay_dlq_source", None)
            target = _queue_by_arn(self.backend, target_arn) if target_arn else None
            if target is None:
                # A gone destination fails the task ("FailureReason":
                # "AWS.SimpleQueueService.NonExistentQueue" as recorded on AWS). A message with
                # no source queue (sent to the DLQ directly) has nowhere to go back to: AWS does
                # not document the case; failing, with the message kept, loses nothing.
                self.failure = "AWS.SimpleQueueService.NonExistentQueue"
                self.status = "FAILED"
                return
            # Sent first, then deleted from the DLQ: a move never loses a message. "All
            # redriven messages are considered new messages with a new messageID and
            # enqueueTime" (the Guide): a new id, receive count 0; body and attributes intact.
            self.backend.send_message(
                target.name,
                m.body,
                message_attributes=dict(m.message_attributes),
                validate_group_id=False,
            )
            with self.source._messages_lock:
                if m in self.source._messages:
                    self.source._messages.remove(m)
            self.moved += 1
        self.status = "COMPLETED"


def start_message_move_task(self) -> ActionResult:
    backend = self.sqs_backend
    source_arn = self._get_param("SourceArn")
    destination_arn = self._get_param("DestinationArn")
    rate = self._get_param("MaxNumberOfMessagesPerSecond")
    source = _queue_by_arn(backend, source_arn)
    if source is None:
        raise _NotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    # "Currently, only ARNs of dead-letter queues (DLQs) whose sources are other Amazon SQS
    # queues are accepted."
    if not any(q.dead_letter_queue is source for q in backend.queues.values()):
        raise _invalid("Source queue must be configured as a Dead Letter Queue.")
    if destination_arn and _queue_by_arn(backend, destination_arn) is None:
        raise _NotFound(
            "The resource that you specified for the DestinationArn parameter doesn't exist."
        )
    # "The maximum value for messages per second is 500."
    if rate is not None and not 1 <= int(rate) <= 500:
        raise _invalid("Value for parameter MaxNumberOfMessagesPerSecond is invalid.")
    # "Only one active message movement task is supported per queue at any given time."
    if any(t.source is source and t.status in ("RUNNING", "CANCELLING") for t in _tasks(backend)):
        raise _invalid(
            "There is already a task running. Only one active task is allowed for a source "
            "queue arn at a given time."
        )
    task = _Task(backend, source, destination_arn, int(rate) if rate is not None else None)
    _tasks(backend).append(task)
    threading.Thread(target=task.run, name=f"sqs-move-{task.id}", daemon=True).start()
    return ActionResult({"TaskHandle": task.handle})


def list_message_move_tasks(self) -> ActionResult:
    backend = self.sqs_backend
    source = _queue_by_arn(backend, self._get_param("SourceArn"))
    if source is None:
        raise _NotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    # MaxResults: "The maximum number of results to include in the response. The default is
    # 1, which provides the most recent message movement task. The upper limit is 10."
    limit = int(self._get_param("MaxResults") or 1)
    if not 1 <= limit <= 10:
        raise _invalid("Value for parameter MaxResults is invalid.")
    mine = [t for t in _tasks(backend) if t.source is source]
    mine.sort(key=lambda t: t.started, reverse=True)
    return ActionResult({"Results": [t.entry() for t in mine[:limit]]})


def cancel_message_move_task(self) -> ActionResult:
    backend = self.sqs_backend
    handle = self._get_param("TaskHandle") or ""
    try:
        decoded = json.loads(base64.b64decode(handle, validate=True))
        task_id, source_arn = decoded["taskId"], decoded["sourceArn"]
    except (ValueError, KeyError, TypeError):
        raise _invalid("Value for parameter TaskHandle is invalid.") from None
    if _queue_by_arn(backend, source_arn) is None:
        raise _NotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    task = next((t for t in _tasks(backend) if t.id == task_id), None)
    if task is None:
        raise _NotFound("Task does not exist.")
    # "A message movement can only be cancelled when the current status is RUNNING." AWS's
    # wording for a finished task is not documented; this one is the emulator's.
    if task.status != "RUNNING":
        raise _invalid(f"Only a RUNNING task can be cancelled; this one is {task.status}.")
    # "Cancelling a message movement task does not revert the messages that have already been
    # moved": the thread stops before its next message.
    task.status = "CANCELLING"
    task.cancel.set()
    return ActionResult({"ApproximateNumberOfMessagesMoved": task.moved})


_sqs_responses.SQSResponse.start_message_move_task = start_message_move_task
_sqs_responses.SQSResponse.list_message_move_tasks = list_message_move_tasks
_sqs_responses.SQSResponse.cancel_message_move_task = cancel_message_move_task
