"""The relay code the sandbox runs: the deployed template's inline `ZipFile` (GetTemplate), else
`$EVRELAY_BIN template`, else relay-lambda/relay.py as it is (the template inlines it unchanged); and a YAML
loader that reads CloudFormation's short tags."""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap

import yaml

from moto_proc import REGION

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_EVRELAY_BIN = os.path.join(REPO_ROOT, "target", "debug", "evrelay")


# ---- templates and the inline code -------------------------------------------------------------

class _CfnLoader(yaml.SafeLoader):
    pass


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        val = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        val = loader.construct_sequence(node, deep=True)
    else:
        val = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": val}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(body) -> dict:
    """A CloudFormation template (YAML with short-form tags, or JSON; str or dict) as a dict."""
    if isinstance(body, dict):
        return body
    return yaml.load(body, Loader=_CfnLoader)


def _resources(tpl: dict, rtype: str) -> list[tuple[str, dict]]:
    return [(k, v.get("Properties") or {}) for k, v in (tpl.get("Resources") or {}).items()
            if v.get("Type") == rtype]


def inline_code_from_template(body) -> str | None:
    """The `Code.ZipFile` of the template's Lambda function (the relay), or None."""
    tpl = load_template(body)
    fns = [(k, p) for k, p in _resources(tpl, "AWS::Lambda::Function")
           if isinstance((p.get("Code") or {}).get("ZipFile"), str)]
    if not fns:
        return None
    fns.sort(key=lambda kp: "relay" not in (kp[0] + json.dumps(kp[1].get("FunctionName"))).lower())
    return fns[0][1]["Code"]["ZipFile"]


def inline_code_from_text(text: str) -> str | None:
    """Text fallback: the lines of the first `ZipFile: |` block scalar, dedented."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)ZipFile:\s*\|[-+]?\s*$", line)
        if not m:
            continue
        indent = len(m.group(1))
        block = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            block.append(nxt)
        return textwrap.dedent("\n".join(block)).strip("\n") + "\n"
    return None


def evrelay_bin() -> str:
    return os.environ.get("EVRELAY_BIN") or DEFAULT_EVRELAY_BIN


def inline_code_from_evrelay(stack: str, binary: str | None = None) -> str | None:
    """`$EVRELAY_BIN template --stack S`, its `ZipFile: |` block extracted and dedented."""
    binary = binary or evrelay_bin()
    if not os.access(binary, os.X_OK):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    try:
        out = subprocess.run([binary, "template", "--stack", stack], capture_output=True,
                             text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        code = inline_code_from_template(out.stdout)
    except yaml.YAMLError:
        code = None
    return code or inline_code_from_text(out.stdout)


def inline_code_from_relay_py(path: str | None = None) -> str | None:
    """relay.py as `evrelay template` inlines it: unchanged."""
    path = path or os.path.join(REPO_ROOT, "relay-lambda", "relay.py")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().strip("\n") + "\n"
