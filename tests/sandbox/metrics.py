"""The CloudWatch metrics AWS would emit for what the sandbox plays, put into moto's CloudWatch.

moto emits no AWS/Events, AWS/Lambda or AWS/SQS metric by itself and extracts nothing from
log lines, so the sandbox synthesises them (PutMetricData, boto3) where it plays each step:

- AWS/Events, dimensions EventBusName + RuleName (a custom bus's rule), the inbound rule:
  MatchedEvents, TriggeredRules, Invocations per event the rule hands to its target (the tap
  queue in direct delivery; the buffer's first receive of a message in buffered delivery).
  FailedInvocations only when non-zero: never here (the swapped target always accepts).
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
- AWS/Lambda, dimension FunctionName: per invocation Invocations (1), Errors (1 or 0: the
  binary indicator Lambda sends), Duration (ms); per asynchronous attempt AsyncEventAge (ms
  from the event queued to this attempt); AsyncEventsDropped when retries are exhausted;
  DestinationDeliveryFailures when the OnFailure record could not be sent. Throttles: never
  (the sandbox queues an invocation instead of throttling it).
  https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
- AWS/SQS, dimension QueueName, sampled every SANDBOX_METRICS_PERIOD s (default 10; AWS: one
  minute) for the stack's DLQ and buffer: ApproximateNumberOfMessagesVisible; and
  ApproximateAgeOfOldestMessage (0 when the queue is empty) for the DLQ of direct delivery (the
  oldest of the destination records the sandbox wrote, the most recent `visible` of them taken
  to be the ones still there) and for the buffer (the oldest enqueue time, SentTimestamp, of the
  messages the mapping received and has not deleted: `buffer_received`/`buffer_deleted`).
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
- evrelay, the relay's own: its log lines' Embedded Metric Format members, extracted as
  CloudWatch Logs would when the lines reach the function's log group.
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

Datums are queued and put by one background thread per moto endpoint (batches of up to 1,000,
PutMetricData's limit); `flush()` puts what is queued now. SANDBOX_METRICS=0 turns it all off.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections import deque

from moto_proc import client

log = logging.getLogger("sandbox.metrics")
ENABLED = os.environ.get("SANDBOX_METRICS", "1") != "0"
PERIOD = float(os.environ.get("SANDBOX_METRICS_PERIOD", "10"))
MAX_DATUMS = 1000  # PutMetricData: at most 1,000 MetricDatum a request


def _datum(name: str, value: float, unit: str, dims: dict, at: float | None) -> dict:
    return {"MetricName": name, "Value": float(value), "Unit": unit,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Timestamp": dt.datetime.fromtimestamp(time.time() if at is None else at, dt.timezone.utc)}


class Publisher:
    """Queues datums by namespace; a daemon thread puts them every half second."""

    def __init__(self, endpoint: str):
        self.cw = client("cloudwatch", endpoint)
        self.lock = threading.Condition()
        self.pending: list[tuple[str, dict]] = []
        self.busy = False
        threading.Thread(target=self._run, name="metrics", daemon=True).start()

    def put(self, namespace: str, name: str, value: float, unit: str, dims: dict, at: float | None = None) -> None:
        if ENABLED:
            with self.lock:
                self.pending.append((namespace, _datum(name, value, unit, dims, at)))

    def _run(self) -> None:
        while True:
            time.sleep(0.5)
            self._put_pending()

    def _put_pending(self) -> None:
        with self.lock:
            while self.busy:
                self.lock.wait()
            batch, self.pending, self.busy = self.pending, [], True
        try:
            by_ns: dict[str, list] = {}
            for ns, d in batch:
                by_ns.setdefault(ns, []).append(d)
            for ns, datums in by_ns.items():
                for i in range(0, len(datums), MAX_DATUMS):
                    try:
                        self.cw.put_metric_data(Namespace=ns, MetricData=datums[i:i + MAX_DATUMS])
                    except Exception as e:  # noqa: BLE001 - moto gone (shutdown): metrics are dropped
                        log.debug("metrics not put: %s", e)
        finally:
            with self.lock:
                self.busy = False
                self.lock.notify_all()

    def flush(self) -> None:
        self._put_pending()


_publishers: dict[str, Publisher] = {}
_plock = threading.Lock()


def publisher(endpoint: str) -> Publisher:
    with _plock:
        if endpoint not in _publishers:
            _publishers[endpoint] = Publisher(endpoint)
        return _publishers[endpoint]


# ---- what each played step emits -----------------------------------------------------------------

def rule_dispatched(endpoint: str, function_name: str, at: float | None = None) -> None:
    """The inbound rule matched an event and handed it to its target."""
    stack = function_name[:-len("-relay")]
    dims = {"EventBusName": f"{stack}-bus", "RuleName": f"{stack}-inbound"}
    p = publisher(endpoint)
    for name in ("MatchedEvents", "TriggeredRules", "Invocations"):
        p.put("AWS/Events", name, 1, "Count", dims, at)


def invoked(endpoint: str, function_name: str, reply: dict, started: float, async_age_ms: float | None = None) -> None:
    """One invocation of the function (its reply from the execution environment)."""
    dims, p = {"FunctionName": function_name}, publisher(endpoint)
    p.put("AWS/Lambda", "Invocations", 1, "Count", dims, started)
    p.put("AWS/Lambda", "Errors", 0 if reply.get("ok") else 1, "Count", dims, started)
    p.put("AWS/Lambda", "Duration", reply.get("duration_ms") or (time.time() - started) * 1000, "Milliseconds", dims, started)
    if async_age_ms is not None:
        p.put("AWS/Lambda", "AsyncEventAge", max(0.0, async_age_ms), "Milliseconds", dims, started)


def async_dropped(endpoint: str, function_name: str, destination_failed: bool) -> None:
    """Retries exhausted: the event leaves Lambda's async queue (to the destination, if it can)."""
    dims, p = {"FunctionName": function_name}, publisher(endpoint)
    p.put("AWS/Lambda", "AsyncEventsDropped", 1, "Count", dims)
    if destination_failed:
        p.put("AWS/Lambda", "DestinationDeliveryFailures", 1, "Count", dims)


def emf_datums(message: str) -> list[tuple[str, str, float, str, dict]]:
    """(namespace, metric, value, unit, dimensions) for each metric an EMF log line defines,
    one per dimension set and value; nothing for a line that is not an EMF document."""
    try:
        root = json.loads(message)
        directives = root["_aws"]["CloudWatchMetrics"]
    except (ValueError, TypeError, KeyError):
        return []
    out = []
    for d in directives:
        for dims in d.get("Dimensions") or [[]]:
            values = {k: root.get(k) for k in dims}
            if not all(isinstance(v, str) for v in values.values()):
                continue  # CloudWatch drops a directive whose dimension is not a string
            for m in d.get("Metrics", []):
                v = root.get(m.get("Name"))
                for x in v if isinstance(v, list) else [v]:
                    if isinstance(x, (int, float)) and not isinstance(x, bool):
                        out.append((d["Namespace"], m["Name"], x, m.get("Unit", "None"), values))
    return out


def log_events_ingested(endpoint: str, events: list[dict]) -> None:
    """Log events just written to a log group: their EMF metrics, at their own timestamps."""
    p = publisher(endpoint)
    for e in events:
        for ns, name, value, unit, dims in emf_datums(e["message"]):
            p.put(ns, name, value, unit, dims, e["timestamp"] / 1000)


# ---- the buffer's messages, dated by what the mapping received --------------------------------
# ApproximateAgeOfOldestMessage is "the approximate age of the oldest non-deleted message in the
# queue"; a message "received three times (or more) and not processed" is left out of it (moved
# to the back of the queue: "the age of a poison-pill message isn't included in the metric until
# the poison-pill message is consumed successfully").
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
# SQS gives no way to read a message's age without receiving it, and a receive changes its
# receive count (what sends it to the DLQ), so the sandbox never receives just to date: it dates
# what the mapping received anyway (SentTimestamp and ApproximateReceiveCount come with each
# message it receives for the relay). SQS hands out a standard queue's messages mostly oldest
# first, so the oldest message not yet received is no older than those the mapping holds.
POISON_RECEIVES = 3

_dated: dict[tuple[str, str], dict[str, tuple[float, int, float]]] = {}  # -> id: (sent, receives, seen)
_dlock = threading.Lock()


def buffer_received(endpoint: str, queue_name: str, msgs: list[dict]) -> None:
    """The mapping received these messages (with their attributes) for an invocation."""
    now = time.time()
    with _dlock:
        dated = _dated.setdefault((endpoint, queue_name), {})
        for m in msgs:
            a = m.get("Attributes") or {}
            if a.get("SentTimestamp"):
                dated[m["MessageId"]] = (int(a["SentTimestamp"]) / 1000,
                                         int(a.get("ApproximateReceiveCount") or 1), now)


def buffer_deleted(endpoint: str, queue_name: str, message_ids: list[str]) -> None:
    """The mapping deleted these messages (the relay delivered them)."""
    with _dlock:
        dated = _dated.get((endpoint, queue_name), {})
        for i in message_ids:
            dated.pop(i, None)


def buffer_oldest_sent(endpoint: str, queue_name: str, max_receives: int | None) -> float | None:
    """The enqueue time of the oldest message the mapping holds that counts for the age: received
    fewer than 3 times, and fewer than the redrive's maxReceiveCount (at that count a failed
    message is taken as gone to the DLQ, which SQS moves it to at its next receive). None when
    the mapping holds none."""
    limit = min(POISON_RECEIVES, max_receives or POISON_RECEIVES)
    with _dlock:
        sent = [s for s, n, _ in _dated.get((endpoint, queue_name), {}).values() if n < limit]
    return min(sent) if sent else None


def _buffer_emptied(endpoint: str, queue_name: str, read_at: float) -> None:
    """The queue read empty at `read_at`: forget what was received before (left some other way:
    a purge, the DLQ); a message received since then is still there."""
    with _dlock:
        dated = _dated.get((endpoint, queue_name), {})
        for i in [i for i, (_, _, seen) in dated.items() if seen < read_at]:
            del dated[i]


# ---- queue depth and age, sampled ---------------------------------------------------------------

class QueueSampler:
    """Samples a stack's queues every PERIOD s (and on `sample()`); `wrote()` records a message
    the sandbox itself put in a queue, for the oldest message's age. `samples` keeps what each
    sample published (for a test to compare with what `evrelay status` reads back)."""

    def __init__(self, endpoint: str, stack: str):
        self.endpoint, self.stack = endpoint, stack
        self.sqs = client("sqs", endpoint)
        self.written: dict[str, list[float]] = {}  # queue name -> when each record was sent, in order
        self.samples: deque = deque(maxlen=1000)  # {"at", "queue", "visible", "age"}
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"sqs-metrics-{stack}", daemon=True)
        if ENABLED:
            self.thread.start()

    def wrote(self, queue_name: str) -> None:
        with self.lock:
            self.written.setdefault(queue_name, []).append(time.time())

    def _run(self) -> None:
        while not self.stop_event.wait(PERIOD):
            try:
                self.sample()
            except Exception as e:  # noqa: BLE001 - queues gone (stack destroyed) or moto busy
                log.debug("%s: queue metrics not sampled: %s", self.stack, e)

    def sample(self) -> dict[str, dict]:
        """Publishes each queue's depth and age now; returns what it published, by queue name
        (age None: not dated, no datum)."""
        p, out = publisher(self.endpoint), {}
        for name in (f"{self.stack}-dlq", f"{self.stack}-buffer"):
            try:
                url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except self.sqs.exceptions.QueueDoesNotExist:
                continue
            at = time.time()
            a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "RedrivePolicy"])["Attributes"]
            visible = int(a["ApproximateNumberOfMessages"])
            dims = {"QueueName": name}
            p.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", visible, "Count", dims, at)
            if name.endswith("-buffer"):
                age = self._buffer_age(name, visible + int(a["ApproximateNumberOfMessagesNotVisible"]),
                                       a.get("RedrivePolicy"), at)
            else:
                age = self._oldest_age(name, visible) if visible else 0.0
            if age is not None:
                p.put("AWS/SQS", "ApproximateAgeOfOldestMessage", age, "Seconds", dims, at)
            out[name] = {"at": at, "queue": name, "visible": visible, "age": age}
            with self.lock:
                self.samples.append(out[name])
        return out

    def _buffer_age(self, name: str, held: int, redrive: str | None, at: float) -> float | None:
        """Seconds since the oldest enqueue time the mapping saw (in flight included: a message
        is in the queue until deleted); 0 when the queue holds nothing."""
        if not held:
            _buffer_emptied(self.endpoint, name, at)
            return 0.0
        try:
            max_receives = int(json.loads(redrive)["maxReceiveCount"]) if redrive else None
        except (ValueError, KeyError, TypeError):
            max_receives = None
        sent = buffer_oldest_sent(self.endpoint, name, max_receives)
        return None if sent is None else max(0.0, at - sent)

    def _oldest_age(self, name: str, visible: int) -> float | None:
        """Seconds since the oldest of the records the sandbox wrote to `name` that are taken to
        be still there: the `visible` most recent (receiving to date them would change their
        receive counts; a drain takes the oldest first, as SQS mostly hands them out). None when
        the sandbox wrote none there."""
        with self.lock:
            times = self.written.get(name)
            if not times:
                return None
            del times[:max(0, len(times) - visible)]
            return time.time() - times[0] if times else None

    def stop(self, wait: bool = False) -> None:
        """Stops sampling; with wait, returns once no sample of the thread's is under way (what
        a test needs before it samples by hand and reads the numbers back)."""
        self.stop_event.set()
        if wait and self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(30)
