"""Fixtures for the sandbox's own tests: one moto_server per session, a seeded account, a
receiver per test, and the relay code as `evrelay template` inlines it."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from sandbox_code import (  # noqa: E402
    evrelay_bin, inline_code_from_evrelay, inline_code_from_relay_py,
)
from moto_proc import MotoServer  # noqa: E402
from receiver_app import ReceiverServer, ReceiverState  # noqa: E402
from seed_account import seed_account  # noqa: E402


@pytest.fixture(scope="session")
def moto():
    with MotoServer() as m:
        yield m


@pytest.fixture(scope="session")
def seeded(moto):
    return seed_account(moto.client("ec2"), moto.client("elbv2"))


@pytest.fixture
def receiver(moto):
    state = ReceiverState(lambda: moto.client("secretsmanager"))
    srv = ReceiverServer(state).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def relay_code():
    """The real relay as deployed: from `$EVRELAY_BIN template` when the binary works, else
    relay-lambda/relay.py (inlined unchanged)."""
    code = inline_code_from_evrelay("sandbox-test")
    if code:
        return code
    code = inline_code_from_relay_py()
    if not code:
        pytest.skip("no relay code: neither the evrelay binary nor relay-lambda/relay.py")
    return code


@pytest.fixture(scope="session")
def evrelay_template():
    import subprocess
    b = evrelay_bin()
    if not os.access(b, os.X_OK):
        pytest.skip(f"no evrelay binary at {b}")
    out = subprocess.run([b, "template", "--stack", "placeholder"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"`evrelay template` failed: {out.stderr.strip()[:200]}")
    return b
