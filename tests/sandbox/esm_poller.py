"""The event source mapping stand-in (buffered delivery): Lambda's SQS poller for a relay stack.

moto stores `AWS::Lambda::EventSourceMapping` as deployed, but cannot run the function, and the
strict emulator keeps moto's own mapping off the queue (tests/emulator/strict/lambda_esm.py).
A `MappingPoller` plays the mapping as the Lambda Developer Guide describes it (with-sqs.html,
services-sqs-scaling.html, services-sqs-errorhandling.html):

- at most `ScalingConfig.MaximumConcurrency` invocations at once: that many poller threads, each
  invoking synchronously, over an environment pool of the same size;
- a batch of up to `BatchSize` messages, gathered for at most `MaximumBatchingWindowInSeconds`
  (0: whatever one receive returns);
- the messages stay in flight for the queue's visibility timeout; a successful invocation
  deletes its batch, a failed one deletes nothing; with `ReportBatchItemFailures` the function's
  `batchItemFailures` stay (an invalid identifier fails the whole batch, as on AWS);
- SQS's own redrive (`maxReceiveCount` → the DLQ) is moto's, and real;
- a mapping whose State is not Enabled is not polled.
Each invocation, and each message's first receive (the inbound rule's delivery to the buffer),
emits the metrics AWS would (metrics.py); what it receives and deletes dates the buffer's oldest
message (metrics.buffer_received/buffer_deleted: SentTimestamp comes with every receive).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque

import metrics
from lambda_env import FunctionSpec, Pool
from moto_proc import REGION, client

log = logging.getLogger("sandbox.lambda")


def sqs_event_record(m: dict, queue_arn: str) -> dict:
    """One record of the event Lambda passes for an SQS batch (with-sqs.html, "Example event")."""
    return {
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": dict(m.get("Attributes") or {}), "messageAttributes": {},
        "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def failed_ids(reply: dict, batch_ids: list[str], report_failures: bool) -> set[str]:
    """The message ids that stay on the queue after an invocation."""
    if not reply.get("ok"):
        return set(batch_ids)
    if not report_failures:
        return set()
    result = reply.get("result")
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return set()
    ids = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures}
    if not ids <= set(batch_ids):  # null, empty or unknown identifier: the whole batch failed
        return set(batch_ids)
    return ids


class MappingPoller:
    def __init__(self, fn: FunctionSpec, mapping: dict, endpoint: str):
        self.fn, self.uuid = fn, mapping["UUID"]
        self.queue_arn = mapping["EventSourceArn"]
        self.batch_size = int(mapping.get("BatchSize") or 10)
        self.window = float(mapping.get("MaximumBatchingWindowInSeconds") or 0)
        self.concurrency = int((mapping.get("ScalingConfig") or {}).get("MaximumConcurrency") or 2)
        self.report_failures = "ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or [])
        self.endpoint = endpoint
        self.sqs, self.lam = client("sqs", endpoint), client("lambda", endpoint)
        self.queue_url = self.sqs.get_queue_url(QueueName=self.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        self.pool = Pool(fn, client("logs", endpoint), size=self.concurrency)
        self.lock = threading.Lock()
        # `polling`: threads between seeing the mapping Enabled and finishing what they received.
        self.stats = {"invocations": 0, "in_flight": 0, "max_in_flight": 0, "deleted": 0, "returned": 0,
                      "polling": 0}
        self.batches: deque = deque(maxlen=100)  # the message ids of each invocation, in order
        self.stop_event = threading.Event()
        self.enabled, self._checked = True, 0.0
        self.refresh_lock = threading.Lock()  # one GetEventSourceMapping at a time: no stale overwrite
        self.threads = [threading.Thread(target=self._run, name=f"esm-{fn.name}-{i}", daemon=True)
                        for i in range(self.concurrency)]

    def start(self) -> "MappingPoller":
        for t in self.threads:
            t.start()
        return self

    def _begin_poll(self) -> bool:
        """Whether the mapping is Enabled (re-read every 2 s); if so, this thread counts as polling."""
        with self.refresh_lock:
            if time.monotonic() - self._checked > 2:
                try:
                    enabled = self.lam.get_event_source_mapping(UUID=self.uuid)["State"] == "Enabled"
                except Exception:  # noqa: BLE001 - mapping gone: the watcher unhooks the stack
                    enabled = False
                with self.lock:
                    self.enabled = enabled
                self._checked = time.monotonic()
        return self._start_polling()

    def _start_polling(self) -> bool:
        """Counted under the lock that `enabled` changes under: once a snapshot shows the mapping
        disabled and nothing polling, no thread receives until it is enabled again (what a test
        waits for before filling the buffer)."""
        with self.lock:
            if self.enabled:
                self.stats["polling"] += 1
            return self.enabled

    def _receive(self, n: int, wait: float) -> list[dict]:
        return self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=min(10, n), WaitTimeSeconds=int(wait),
            AttributeNames=["All"]).get("Messages", [])

    def _batch(self) -> list[dict]:
        msgs = self._receive(self.batch_size, 1)
        end = time.monotonic() + self.window
        while msgs and len(msgs) < self.batch_size and time.monotonic() < end and not self.stop_event.is_set():
            msgs += self._receive(self.batch_size - len(msgs), min(1, max(0, end - time.monotonic())))
        return msgs

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                if not self._begin_poll():
                    self.stop_event.wait(1)
                    continue
                try:
                    msgs = self._batch()
                    if msgs and self.stop_event.is_set():  # unhooked while receiving: hand them back
                        self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=[
                            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                            for i, m in enumerate(msgs)])
                    elif msgs:
                        self._invoke(msgs)
                finally:
                    with self.lock:
                        self.stats["polling"] -= 1
            except Exception as e:  # noqa: BLE001 - queue gone (stack destroyed) or moto busy
                log.debug("%s: mapping poll failed: %s", self.fn.name, e)
                self.stop_event.wait(0.5)

    def _invoke(self, msgs: list[dict]) -> None:
        ids = [m["MessageId"] for m in msgs]
        with self.lock:
            self.stats["invocations"] += 1
            self.stats["in_flight"] += 1
            self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.stats["in_flight"])
            self.batches.append(ids)
        queue_name = self.queue_arn.rsplit(":", 1)[-1]
        metrics.buffer_received(self.endpoint, queue_name, msgs)  # dates the buffer's backlog
        for m in msgs:
            if (m.get("Attributes") or {}).get("ApproximateReceiveCount") == "1":
                sent = int((m.get("Attributes") or {}).get("SentTimestamp") or time.time() * 1000) / 1000
                metrics.rule_dispatched(self.endpoint, self.fn.name, sent)
        try:
            event = {"Records": [sqs_event_record(m, self.queue_arn) for m in msgs]}
            started = time.time()
            try:
                reply = self.pool.invoke(event, str(uuid.uuid4()))
            except Exception as e:  # noqa: BLE001 - e.g. the environment failed to start
                reply = {"ok": False, "errorMessage": str(e)}
            metrics.invoked(self.endpoint, self.fn.name, reply, started)
            stay = failed_ids(reply, ids, self.report_failures)
            done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(msgs) if m["MessageId"] not in stay]
            for i in range(0, len(done), 10):
                self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done[i:i + 10])
            metrics.buffer_deleted(self.endpoint, queue_name, [m["MessageId"] for m in msgs
                                                               if m["MessageId"] not in stay])
            with self.lock:
                self.stats["deleted"] += len(done)
                self.stats["returned"] += len(stay)
        finally:
            with self.lock:
                self.stats["in_flight"] -= 1

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.stats, enabled=self.enabled, batches=[list(b) for b in self.batches])

    def idle(self) -> bool:
        """Nothing in the queue (visible or in flight) and no invocation running."""
        a = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        queued = int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
        return queued == 0 and self.snapshot()["in_flight"] == 0

    def stop(self, kill: bool = False) -> None:
        self.stop_event.set()
        for t in self.threads:
            if t is not threading.current_thread():
                t.join(0 if kill else 5)
        self.pool.close(kill_busy=kill)


def start_pollers(lam, fn: FunctionSpec, endpoint: str) -> list[MappingPoller]:
    """A poller for each SQS event source mapping of the function (none in direct delivery)."""
    mappings = lam.list_event_source_mappings(FunctionName=fn.name).get("EventSourceMappings", [])
    return [MappingPoller(fn, m, endpoint).start() for m in mappings if m["EventSourceArn"].split(":")[2] == "sqs"]
