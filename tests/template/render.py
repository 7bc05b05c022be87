#!/usr/bin/env python3
"""Render templates/relay.yaml the way `evrelay template` does, and print it.

The marker line (`# evrelay:relay-code`) is replaced with relay-lambda/relay.py unchanged, each
line indented like the marker, blank lines left empty (src/template/mod.rs, render_with).
If relay.py does not exist yet, a small placeholder handler stands in.

`rendered()` is what the checks use: the output of `$EVRELAY_BIN template` when EVRELAY_BIN is
set (the real renderer), else this module's own rendering.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "relay.yaml"
RELAY = ROOT / "relay-lambda" / "relay.py"
MARKER = "# evrelay:relay-code"

PLACEHOLDER = """\
import json
def handler(event, context):
    print(json.dumps({"request-id": event.get("id"), "outcome": "failed", "reason": "placeholder"}))
    raise RuntimeError("placeholder relay")
"""


def inline_code(source: str) -> list[str]:
    return source.rstrip().splitlines()


def render(template: str, relay: str) -> str:
    code = inline_code(relay)
    out = []
    for line in template.splitlines():
        if line.strip() == MARKER:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + c if c.strip() else "" for c in code)
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def render_local() -> str:
    relay = RELAY.read_text() if RELAY.exists() else PLACEHOLDER
    return render(TEMPLATE.read_text(), relay)


def rendered() -> str:
    exe = os.environ.get("EVRELAY_BIN")
    if exe:
        return subprocess.run([exe, "template"], check=True, capture_output=True, text=True).stdout
    return render_local()


if __name__ == "__main__":
    sys.stdout.write(rendered())
