"""Which backend the acceptance tests run on, and the binary they drive: shared by the
one-Region and the pair's test files."""

from __future__ import annotations

import os

import pytest

from sandbox_code import evrelay_bin

BIN = evrelay_bin()
needs_binary = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no evrelay binary at {BIN} (cargo build)")
REAL = os.environ.get("EVRELAY_ACCEPTANCE") == "1" and bool(os.environ.get("AWS_PROFILE"))
# With a real account selected, the emulator's tests stand aside: their sandbox must not see
# the operator's AWS_PROFILE, and one run at a time keeps the output readable.
emulator = pytest.mark.skipif(REAL, reason="EVRELAY_ACCEPTANCE=1 and AWS_PROFILE: the real-account run replaces the emulator's")
