"""Fixtures for the acceptance run. The emulator backend reuses the sandbox's own fixture and
helpers (tests/sandbox/test_e2e.py: `sandbox`, a module-scoped running sandbox; for a relay pair
tests/sandbox/test_e2e_global.py: `pair`, the two-Region sandbox) rather than copies of them."""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX_DIR = os.path.join(HERE, "..", "sandbox")
for p in (HERE, SANDBOX_DIR):
    if p not in sys.path:
        sys.path.insert(0, p)

from test_e2e import sandbox  # noqa: E402,F401  (the fixture: moto + Lambda stand-in + receiver)
from test_e2e_global import pair  # noqa: E402,F401  (the two-Region sandbox: us-east-1 and us-west-2)


def pytest_addoption(parser):
    parser.addoption("--yes", action="store_true", default=False,
                     help="acceptance run on a real account: start without asking")
    parser.addoption("--secondary-region", default=None,
                     help="acceptance run on a real account: run the relay pair's scenario instead, its "
                          "secondary in this Region")
