#!/usr/bin/env python3
"""Render templates/relay.yaml the way `evrelay template` does, and print it.

The marker line (`# evrelay:relay-code`) is replaced with relay-lambda/relay.py unchanged, each
line indented like the marker, blank lines left empty; the template's own full-line comments
(outside block scalars) are dropped, to stay under CloudFormation's template body limit
(src/template/mod.rs, render_with).
If relay.py does not exist yet, a small placeholder handler stands in.

`rendered()` is what the checks use: the output of `$EVRELAY_BIN template` when EVRELAY_BIN is
set (the real renderer), else this module's own rendering.
"""

from __future__ import annotations

import os
import re
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


def _starts_block_scalar(line: str) -> bool:
    if ": " in line:
        value = line.split(": ", 1)[1]
    else:
        value = line.lstrip()[2:] if line.lstrip().startswith("- ") else ""
    return bool(re.fullmatch(r"[|>][-+1-9]{0,2}", value.strip()))


def render(template: str, relay: str) -> str:
    code = inline_code(relay)
    out = []
    scalar_of = None
    for line in template.splitlines():
        indent = len(line) - len(line.lstrip())
        if scalar_of is not None and line.strip() and indent <= scalar_of:
            scalar_of = None
        if line.strip() == MARKER:
            out.extend(line[:indent] + c if c.strip() else "" for c in code)
        elif scalar_of is None and line.lstrip().startswith("#"):
            continue
        else:
            if scalar_of is None and _starts_block_scalar(line):
                scalar_of = indent
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
