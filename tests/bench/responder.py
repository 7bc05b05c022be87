#!/usr/bin/env python3
"""An instant local AWS responder for send_drain.sh: measures the client, not the server.

moto caps PutEvents and SQS receive (its ReceiveMessage scans the queue), so against moto a
benchmark measures moto. This server answers at once, on 127.0.0.1 only, the calls
`evrelay send`, `evrelay dlq drain` and the boto3 baselines make:

  EventBridge (AWS JSON 1.1, X-Amz-Target AWSEvents.*): DescribeEventBus, PutEvents
      (FailedEntryCount 0, one EventId per entry).
  SQS (AWS JSON 1.0, X-Amz-Target AmazonSQS.*, what aws-sdk-sqs 1.119 and botocore 1.44
      speak): GetQueueUrl, GetQueueAttributes, ReceiveMessage, DeleteMessageBatch,
      ChangeMessageVisibilityBatch. ReceiveMessage serves the seeded synthetic DLQ records
      (Lambda destination records, bench_setup.record) until they run out, then answers
      empty at once instead of long-polling, so the stop rule costs nothing either.
      (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html;
      botocore's sqs model: protocol "json", jsonVersion 1.0, targetPrefix AmazonSQS).
  CloudFormation DescribeStacks and STS GetCallerIdentity (AWS query protocol), in case a
      command checks the stack first: the stack `--stack` exists and carries evrelay's tags.

Anything else gets an `UnknownOperationException` naming the operation, and is counted, so a
new call made by evrelay shows up in the stats (`/_bench/stats`) instead of being guessed at.

Control (GET, loopback): /_bench/seed?count=N replaces the queue with N fresh records;
/_bench/reset zeroes the counters; /_bench/stats returns them with the server's own CPU time,
which tells whether the server kept up (CPU well below wall time) or was the bottleneck.

Bounded: the server exits by itself after --timeout seconds, and on SIGTERM/SIGINT.
Each response is written in one call on a TCP_NODELAY socket (the Nagle trap,
shared notes benchmarks.md), with HTTP/1.1 keep-alive.
"""
import argparse
import asyncio
import collections
import hashlib
import itertools
import json
import os
import signal
import socket
import sys
import time
import uuid
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_setup import record  # noqa: E402  (the same ~1 KB record the moto run seeds)

ACCOUNT = "123456789012"
MAX_HEADER = 64 * 1024
MAX_BODY = 2 * 1024 * 1024  # PutEvents is at most 256 KB of entries; room for JSON framing


class State:
    def __init__(self, args, port):
        self.bus, self.queue, self.stack = args.bus, args.queue, args.stack
        self.region = args.region
        self.queue_url = f"http://127.0.0.1:{port}/{ACCOUNT}/{self.queue}"
        self.visible = collections.deque()  # pre-rendered message JSON, minus the receipt handle
        self.in_flight = {}  # receipt handle → pre-rendered message
        self.ids = itertools.count()
        self.run_id = uuid.uuid4().hex[:8]
        self.reset()

    def reset(self):
        self.ops = collections.Counter()
        self.put_entries = self.received = self.deleted = self.requests = 0
        self.cpu_at_reset = time.process_time()
        self.wall_at_reset = time.monotonic()

    def seed(self, count):
        """N fresh records; rendered now, so serving them later costs a string join."""
        self.visible.clear()
        self.in_flight.clear()
        now_ms = str(int(time.time() * 1000))
        for i in range(count):
            body = record(i)
            attrs = {"SentTimestamp": now_ms, "ApproximateReceiveCount": "1",
                     "ApproximateFirstReceiveTimestamp": now_ms, "SenderId": "AIDABENCHSENDER"}
            self.visible.append(json.dumps({
                "MessageId": str(uuid.uuid4()),
                "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "Body": body,
                "Attributes": attrs,
            })[1:-1])

    def stats(self):
        return {"ops": dict(self.ops), "requests": self.requests, "put_entries": self.put_entries,
                "received": self.received, "deleted": self.deleted, "visible": len(self.visible),
                "in_flight": len(self.in_flight),
                "cpu_s": round(time.process_time() - self.cpu_at_reset, 3),
                "wall_s": round(time.monotonic() - self.wall_at_reset, 3)}


class AwsError(Exception):
    def __init__(self, status, code, message, query_code=None):
        super().__init__(message)
        self.status, self.code, self.message, self.query_code = status, code, message, query_code


def json_reply(payload, version):
    return 200, f"application/x-amz-json-{version}", payload.encode(), ()


# --- EventBridge -------------------------------------------------------------------------------

def put_events(state, req):
    entries = req.get("Entries") or []
    if not 1 <= len(entries) <= 10:
        raise AwsError(400, "ValidationException", f"Entries: {len(entries)} entries, 1–10 allowed")
    state.put_entries += len(entries)
    ids = ",".join(f'{{"EventId":"{state.run_id}-{next(state.ids):012x}"}}' for _ in entries)
    return json_reply(f'{{"FailedEntryCount":0,"Entries":[{ids}]}}', "1.1")


def describe_event_bus(state, req):
    name = req.get("Name") or "default"
    if name not in (state.bus, "default"):
        raise AwsError(400, "ResourceNotFoundException", f"Event bus {name} does not exist.")
    arn = f"arn:aws:events:{state.region}:{ACCOUNT}:event-bus/{name}"
    return json_reply(json.dumps({"Name": name, "Arn": arn}), "1.1")


# --- SQS ---------------------------------------------------------------------------------------

def missing_queue():
    return AwsError(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.",
                    "AWS.SimpleQueueService.NonExistentQueue;Sender")


def check_queue(state, req):
    if req.get("QueueUrl", "").rstrip("/").rsplit("/", 1)[-1] != state.queue:
        raise missing_queue()


def get_queue_url(state, req):
    if req.get("QueueName") != state.queue:
        raise missing_queue()
    return json_reply(json.dumps({"QueueUrl": state.queue_url}), "1.0")


def get_queue_attributes(state, req):
    check_queue(state, req)
    depth = {"ApproximateNumberOfMessages": len(state.visible),
             "ApproximateNumberOfMessagesNotVisible": len(state.in_flight),
             "ApproximateNumberOfMessagesDelayed": 0}
    wanted = req.get("AttributeNames") or []
    attrs = {k: str(v) for k, v in depth.items() if "All" in wanted or k in wanted}
    return json_reply(json.dumps({"Attributes": attrs}), "1.0")


def receive_message(state, req):
    check_queue(state, req)
    n = min(int(req.get("MaxNumberOfMessages") or 1), 10)
    out = []
    while state.visible and len(out) < n:
        message = state.visible.popleft()
        handle = f"{state.run_id}-rh-{next(state.ids):012x}"
        state.in_flight[handle] = message
        out.append(f'{{"ReceiptHandle":"{handle}",{message}}}')
    state.received += len(out)
    return json_reply(f'{{"Messages":[{",".join(out)}]}}' if out else "{}", "1.0")


def settle_batch(state, req, settle):
    check_queue(state, req)
    ok, failed = [], []
    for e in req.get("Entries") or []:
        if e.get("ReceiptHandle") in state.in_flight:
            settle(e)
            ok.append({"Id": e["Id"]})
        else:
            failed.append({"Id": e.get("Id"), "SenderFault": True, "Code": "ReceiptHandleIsInvalid",
                           "Message": "The input receipt handle is invalid."})
    return json_reply(json.dumps({"Successful": ok, "Failed": failed}), "1.0")


def delete_message_batch(state, req):
    def delete(e):
        del state.in_flight[e["ReceiptHandle"]]
        state.deleted += 1
    return settle_batch(state, req, delete)


def change_visibility_batch(state, req):
    def release(e):
        if int(e.get("VisibilityTimeout", 1)) == 0:
            state.visible.appendleft(state.in_flight.pop(e["ReceiptHandle"]))
    return settle_batch(state, req, release)


JSON_OPS = {
    "AWSEvents.PutEvents": put_events,
    "AWSEvents.DescribeEventBus": describe_event_bus,
    "AmazonSQS.GetQueueUrl": get_queue_url,
    "AmazonSQS.GetQueueAttributes": get_queue_attributes,
    "AmazonSQS.ReceiveMessage": receive_message,
    "AmazonSQS.DeleteMessageBatch": delete_message_batch,
    "AmazonSQS.ChangeMessageVisibilityBatch": change_visibility_batch,
}


# --- query protocol (CloudFormation, STS) ----------------------------------------------------

def describe_stacks(state, form):
    name = form.get("StackName", state.stack)
    if name != state.stack:
        raise AwsError(400, "ValidationError", f"Stack with id {name} does not exist")
    tags = "".join(f"<member><Key>{k}</Key><Value>{v}</Value></member>"
                   for k, v in (("evrelay:managed", "true"), ("evrelay:stack", state.stack)))
    stack_id = f"arn:aws:cloudformation:{state.region}:{ACCOUNT}:stack/{state.stack}/{state.run_id}"
    return ("DescribeStacks", "http://cloudformation.amazonaws.com/doc/2010-05-15/",
            f"<Stacks><member><StackName>{state.stack}</StackName><StackId>{stack_id}</StackId>"
            f"<CreationTime>2026-11-24T08:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>"
            f"<Tags>{tags}</Tags><Parameters/><Outputs/></member></Stacks>")


def get_caller_identity(state, form):
    return ("GetCallerIdentity", "https://sts.amazonaws.com/doc/2011-06-15/",
            f"<Arn>arn:aws:iam::{ACCOUNT}:user/bench</Arn><UserId>AIDABENCH</UserId>"
            f"<Account>{ACCOUNT}</Account>")


QUERY_OPS = {"DescribeStacks": describe_stacks, "GetCallerIdentity": get_caller_identity}


def query_reply(op, xmlns, inner):
    rid = uuid.uuid4()
    xml = (f'<{op}Response xmlns="{xmlns}"><{op}Result>{inner}</{op}Result>'
           f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{op}Response>")
    return 200, "text/xml", xml.encode(), ()


# --- dispatch ----------------------------------------------------------------------------------

def control(state, target):
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    if parts.path == "/_bench/seed":
        state.seed(int(query.get("count", ["0"])[0]))
    elif parts.path == "/_bench/reset":
        state.reset()
    elif parts.path != "/_bench/stats":
        return 404, "text/plain", b"unknown control path\n", ()
    return 200, "application/json", (json.dumps(state.stats()) + "\n").encode(), ()


def answer(state, method, target, headers, body):
    if method == "GET" and target.startswith("/_bench/"):
        return control(state, target)
    state.requests += 1
    amz_target = headers.get("x-amz-target")
    try:
        if amz_target:
            state.ops[amz_target] += 1
            op = JSON_OPS.get(amz_target)
            if op is None:
                raise AwsError(400, "UnknownOperationException", f"responder.py does not answer {amz_target}")
            return op(state, json.loads(body or b"{}"))
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        action = form.get("Action", f"{method} {target}")
        state.ops[action] += 1
        op = QUERY_OPS.get(action)
        if op is None:
            raise AwsError(400, "UnknownOperationException", f"responder.py does not answer {action}")
        return query_reply(*op(state, form))
    except AwsError as e:
        print(f"responder: {amz_target or 'query'}: {e.code}: {e.message}", file=sys.stderr, flush=True)
        extra = ((b"x-amzn-query-error", e.query_code.encode()),) if e.query_code else ()
        if amz_target:
            ctype = "application/x-amz-json-1.1" if amz_target.startswith("AWSEvents") else "application/x-amz-json-1.0"
            payload = json.dumps({"__type": e.code, "message": e.message}).encode()
        else:
            ctype = "text/xml"
            payload = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{e.code}</Code><Message>{e.message}"
                       f"</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()
        return e.status, ctype, payload, extra
    except (ValueError, KeyError, TypeError) as e:
        print(f"responder: {amz_target}: bad request: {e!r}", file=sys.stderr, flush=True)
        payload = json.dumps({"__type": "SerializationException", "message": str(e)}).encode()
        return 400, "application/x-amz-json-1.0", payload, ()


REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 411: b"Length Required", 413: b"Too Large"}


class Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; Content-Length bodies only (what both SDKs send here)."""

    def __init__(self, state):
        self.state = state
        self.buf = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.buf += data
        while self.transport is not None and not self.transport.is_closing():
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEADER:
                    self.reply(413, "text/plain", b"header too large\n", (), close=True)
                return
            lines = self.buf[:end].decode("latin-1").split("\r\n")
            method, target, version = (lines[0].split(" ", 2) + ["", ""])[:3]
            headers = {}
            for line in lines[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.reply(411, "text/plain", b"chunked bodies are not supported\n", (), close=True)
                return
            length = int(headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.reply(413, "text/plain", b"body too large\n", (), close=True)
                return
            if len(self.buf) < end + 4 + length:
                if headers.get("expect", "").lower() == "100-continue" and len(self.buf) == end + 4:
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            body = bytes(self.buf[end + 4:end + 4 + length])
            del self.buf[:end + 4 + length]
            status, ctype, payload, extra = answer(self.state, method, target, headers, body)
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            self.reply(status, ctype, payload, extra, close)

    def reply(self, status, ctype, payload, extra, close):
        head = [b"HTTP/1.1 %d %s" % (status, REASONS.get(status, b"Error")),
                b"Content-Type: " + ctype.encode(), b"Content-Length: %d" % len(payload),
                b"x-amzn-RequestId: " + self.state.run_id.encode()]
        head += [k + b": " + v for k, v in extra]
        if close:
            head.append(b"Connection: close")
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + payload)  # one write: no Nagle stall
        if close:
            self.transport.close()


async def serve(args):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    state_box = {}
    server = await loop.create_server(lambda: Connection(state_box["state"]), "127.0.0.1", args.port,
                                      reuse_address=True, backlog=256)
    port = server.sockets[0].getsockname()[1]
    state_box["state"] = State(args, port)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: done.done() or done.set_result("signal"))
    loop.call_later(args.timeout, lambda: done.done() or done.set_result("timeout"))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)  # appears complete, so a poller never reads half a line
    print(f"responder: listening on 127.0.0.1:{port}, exits after {args.timeout:.0f} s", file=sys.stderr, flush=True)
    why = await done
    server.close()
    print(f"responder: stopping ({why}); last counters {json.dumps(state_box['state'].stats())}",
          file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (see --port-file)")
    parser.add_argument("--port-file", help="written with the port once listening")
    parser.add_argument("--timeout", type=float, default=1800, help="exit after this many seconds")
    parser.add_argument("--stack", default="bench")
    parser.add_argument("--bus", default="bench-bus")
    parser.add_argument("--queue", default="bench-dlq")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
