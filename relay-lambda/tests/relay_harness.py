"""What the relay tests and the benchmark share: the code under test (the inlined text),
the deterministic AWS environment, names, and an event factory.

The code under test is the text the template inlines, not relay.py itself:
- with `EVRELAY_BIN` set, `$EVRELAY_BIN template` is run and the `ZipFile: |` block is
  extracted and dedented;
- otherwise relay.py itself (the template inlines it unchanged).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
import time
import types
from pathlib import Path

from botocore.config import Config

RELAY_PY = Path(__file__).resolve().parent.parent / "relay.py"
STACK = "relay-test"
SECRET_ID = f"{STACK}-api-key"
BUS = f"{STACK}-bus"
RESPONSES = f"{STACK}-responses"
API_KEY = "k3y-Sup3rS3cret-0001"
REGION = "us-east-1"
# Test-side clients: no retries, so an emulator error is never silently repeated.
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, region_name=REGION)

# Deterministic AWS environment for the whole session (set at import: before moto/boto3
# read anything). A developer's real profile and endpoints are never used.
for var in [v for v in os.environ if v.startswith(("AWS_", "BOTO_"))]:
    del os.environ[var]
os.environ.update({
    "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
})


def zipfile_block(template: str) -> str:
    """The dedented content of the `ZipFile: |` block scalar of a YAML template."""
    lines = template.splitlines()
    starts = [i for i, l in enumerate(lines) if re.match(r"^\s*ZipFile:\s*\|[-+0-9]*\s*(#.*)?$", l)]
    assert len(starts) == 1, f"expected one `ZipFile: |` block in the template, found {len(starts)}"
    indent = len(lines[starts[0]]) - len(lines[starts[0]].lstrip())
    block = []
    for line in lines[starts[0] + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    while block and not block[-1].strip():
        block.pop()
    return textwrap.dedent("\n".join(block)) + "\n"


def _inlined_source() -> tuple[str, str]:
    evrelay = os.environ.get("EVRELAY_BIN")
    if not evrelay:
        return RELAY_PY.read_text(), "relay.py"
    out = subprocess.run([evrelay, "template"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"`{evrelay} template` failed:\n{out.stderr}"
    return zipfile_block(out.stdout), f"`{evrelay} template`"


INLINED, INLINED_FROM = _inlined_source()


def fresh_module(source: str = None) -> types.ModuleType:
    """A new module from the inlined text, as Lambda's `index` (call after setting env)."""
    module = types.ModuleType("index")
    module.__file__ = "index.py"
    exec(compile(source or INLINED, "index.py", "exec"), module.__dict__)
    return module


class Context:
    """The part of Lambda's context the relay reads: the time left before the deadline."""

    def __init__(self, seconds: float = 60.0, request_id: str = "req-1"):
        self.aws_request_id = request_id
        self._deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def make_event(i=1, **detail):
    return {
        "version": "0", "id": f"evt-{i:04d}", "detail-type": "order-created", "source": "shop.orders",
        "account": "123456789012", "time": "2026-11-24T08:00:00Z", "region": REGION, "resources": [],
        "detail": {"event-id": f"order-{i}", **detail},
    }


def sqs_record(event, message_id=None, receive_count=1):
    """One record of the batch Lambda's SQS event source mapping passes: the buffer's message,
    whose body is the EventBridge event the inbound rule sent."""
    name = message_id or f"msg-{event['id']}"
    return {
        "messageId": name, "receiptHandle": f"rh-{name}",
        "body": event if isinstance(event, str) else json.dumps(event),
        "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "1795510793010"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{STACK}-buffer", "awsRegion": REGION,
    }
