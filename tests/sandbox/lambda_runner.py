"""The async invoker: a `Runner` long-polls a stack's tap queue and invokes the function as
Lambda's asynchronous invocation does (1 + MaximumRetryAttempts attempts with the same request
id, short sandbox delays), then writes the destination record to the OnFailure queue; the
metrics AWS/Events and AWS/Lambda would emit for each step (metrics.py)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import metrics
from lambda_env import FunctionSpec, Pool, destination_record, fit_destination
from moto_proc import client

log = logging.getLogger("sandbox.lambda")
# Sandbox retry delays between attempts (Lambda async: about 1 minute, then about 2 minutes).
RETRY_DELAYS = tuple(float(x) for x in os.environ.get("SANDBOX_RETRY_DELAYS", "0.5,1.0").split(","))


# ---- the async invoker ----------------------------------------------------------------------------

@dataclass
class RunnerStats:
    received: int = 0
    invocations: int = 0
    delivered: int = 0
    failed: int = 0
    dlq_written: int = 0
    in_flight: int = 0


class Runner:
    """Long-polls the tap queue and invokes the function asynchronously, as Lambda does."""

    def __init__(self, fn: FunctionSpec, tap_url: str | None, retries: int,
                 on_failure_url: str | None, endpoint: str, retry_delays=RETRY_DELAYS,
                 invoke=None):
        self.fn = fn
        self.tap_url = tap_url
        self.retries = retries
        self.on_failure_url = on_failure_url
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.endpoint = endpoint
        self.sqs = client("sqs", endpoint)
        self.queues = metrics.QueueSampler(endpoint, fn.name[:-len("-relay")])
        self.logs = client("logs", endpoint)
        self.pool = Pool(fn, self.logs)
        self._invoke = invoke or self.pool.invoke
        self.stats = RunnerStats()
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.killed = False
        self.executor = ThreadPoolExecutor(max_workers=max(8, self.pool.size), thread_name_prefix=f"invoke-{fn.name}")
        self.thread: threading.Thread | None = None

    def start(self) -> "Runner":
        self.thread = threading.Thread(target=self._poll, name=f"tap-{self.fn.name}", daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop_event.is_set():
            try:
                msgs = self.sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=1).get("Messages", [])
            except Exception as e:  # noqa: BLE001 - tap gone (stack destroyed) or moto busy
                log.debug("%s: tap receive failed: %s", self.fn.name, e)
                self.stop_event.wait(0.5)
                continue
            for m in msgs:
                with self.lock:
                    self.stats.received += 1
                    self.stats.in_flight += 1
                try:
                    event = json.loads(m["Body"])
                except ValueError:
                    event = m["Body"]
                metrics.rule_dispatched(self.endpoint, self.fn.name)
                # Lambda's async queue owns the event from here: take it off the tap.
                try:
                    self.sqs.delete_message(QueueUrl=self.tap_url, ReceiptHandle=m["ReceiptHandle"])
                except Exception as e:  # noqa: BLE001
                    log.warning("%s: tap delete failed: %s", self.fn.name, e)
                self.executor.submit(self._guarded, event, time.time())

    def _guarded(self, event, queued_at: float) -> None:
        try:
            self.invoke_async(event, queued_at=queued_at)
        except Exception:  # noqa: BLE001
            log.exception("%s: invocation failed", self.fn.name)
        finally:
            with self.lock:
                self.stats.in_flight -= 1

    def invoke_async(self, event, request_id: str | None = None, queued_at: float | None = None) -> dict:
        """1 + retries attempts with the same request id; the destination record on failure.
        Returns the last reply."""
        queued_at = time.time() if queued_at is None else queued_at
        request_id = request_id or str(uuid.uuid4())
        attempts = 1 + self.retries
        reply: dict = {}
        for n in range(1, attempts + 1):
            with self.lock:
                self.stats.invocations += 1
            started = time.time()
            try:
                reply = self._invoke(event, request_id)
            except Exception as e:  # noqa: BLE001 - e.g. the environment failed to start
                reply = {"ok": False, "errorMessage": str(e), "errorType": "Runtime.Unknown"}
            metrics.invoked(self.endpoint, self.fn.name, reply, started, (started - queued_at) * 1000)
            if reply.get("ok"):
                with self.lock:
                    self.stats.delivered += 1
                return reply
            if self.killed:
                return reply
            if n < attempts:
                time.sleep(self.retry_delays[min(n - 1, len(self.retry_delays) - 1)])
        with self.lock:
            self.stats.failed += 1
        record = destination_record(event, request_id, self.fn.arn, n, reply)
        sent = False
        if self.on_failure_url:
            try:
                record = fit_destination(record, self._max_message_size())
                self.sqs.send_message(QueueUrl=self.on_failure_url, MessageBody=json.dumps(record))
                self.queues.wrote(self.on_failure_url.rsplit("/", 1)[-1])
                sent = True
                with self.lock:
                    self.stats.dlq_written += 1
            except Exception as e:  # noqa: BLE001
                log.warning("%s: destination record not sent: %s", self.fn.name, e)
        metrics.async_dropped(self.endpoint, self.fn.name, destination_failed=bool(self.on_failure_url) and not sent)
        return reply

    def _max_message_size(self) -> int | None:
        """The OnFailure queue's limit, read at send time as Lambda meets it (an operator may
        have changed it since deploy)."""
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.on_failure_url,
                                              AttributeNames=["MaximumMessageSize"])["Attributes"]
        size = attrs.get("MaximumMessageSize")
        return int(size) if size else None

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.stats.__dict__)

    def stop(self, kill: bool = False) -> None:
        """Stop polling the tap. By default in-flight invocations finish (with their retries and
        destination records) in the background, then the environments stop; with kill, running
        environments are killed at once (sandbox shutdown)."""
        self.stop_event.set()
        self.queues.stop()
        if self.thread and self.thread is not threading.current_thread():
            self.thread.join(5)
        if kill:
            self.killed = True
            self.pool.close(kill_busy=True)
            self.executor.shutdown(wait=False, cancel_futures=True)
            return

        def drain():
            self.executor.shutdown(wait=True)
            self.pool.close()
        threading.Thread(target=drain, name=f"drain-{self.fn.name}", daemon=True).start()
