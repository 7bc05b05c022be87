"""The stack's secret, which moto skips (AWS::SecretsManager::Secret): the sandbox creates it as
CloudFormation would from the template's parameters.

- `Secret` (NoEcho; moto's DescribeStacks returns it in clear): the secret `<stack>-api-key`
  with that value, updated when a redeploy changes it;
- `Secret` empty: `<stack>-api-key` with a value made here the way the template's
  GenerateSecretString asks (32 letters and digits), kept across redeploys;
- `ExistingSecretArn` set: nothing: the secret is the operator's and the stack has none.
"""

from __future__ import annotations

import re
import secrets
import string

DESCRIPTION = "evrelay sandbox: stands in for the stack's secret (moto skips it)"


def _params(stack: dict) -> dict:
    return {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}


def secret_value(cfn, stack: dict) -> str | None:
    """The value of the stack's NoEcho secret parameter (or a secret-looking one)."""
    params = _params(stack)
    try:
        summary = cfn.get_template_summary(StackName=stack["StackName"])
        noecho = [p["ParameterKey"] for p in summary.get("Parameters", []) if p.get("NoEcho")]
    except Exception:  # noqa: BLE001
        noecho = []
    cands = [k for k in noecho if k in params] or [k for k in params if re.search(r"secret|api.?key", k, re.I)]
    cands.sort(key=lambda k: "secret" not in k.lower())
    return params[cands[0]] if cands else None


def generated_value() -> str:
    """GenerateSecretString with PasswordLength 32 and ExcludePunctuation."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def ensure_secret(sm, name: str, value: str | None, keep_existing: bool = False) -> bool:
    """Create the secret, or update its value (unless keep_existing). True when created."""
    if value is None:
        return False
    try:
        current = sm.get_secret_value(SecretId=name)["SecretString"]
        if current != value and not keep_existing:
            sm.put_secret_value(SecretId=name, SecretString=value)
        return False
    except sm.exceptions.ResourceNotFoundException:
        sm.create_secret(Name=name, SecretString=value, Description=DESCRIPTION)
        return True


def stand_in_secret(cfn, sm, stack: dict) -> tuple[str | None, bool]:
    """(the secret the sandbox manages for this stack, or None; whether it created it now)."""
    params = _params(stack)
    if params.get("ExistingSecretArn"):
        return None, False
    name = f"{stack['StackName']}-api-key"
    value = secret_value(cfn, stack)
    if value == "":
        return name, ensure_secret(sm, name, generated_value(), keep_existing=True)
    return name, ensure_secret(sm, name, value)
