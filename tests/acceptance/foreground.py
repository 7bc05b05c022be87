"""A real-account run started from pytest, on the terminal."""

from __future__ import annotations

import signal
import subprocess


def in_foreground(args: list[str]) -> int:
    """The run prints its plan, asks and reports on the terminal. Not subprocess.call: on Ctrl-C
    it would SIGKILL the run before its cleanup. The terminal's Ctrl-C reaches the run itself
    (same process group): keep waiting while it cleans up, and pass a SIGTERM sent to pytest on."""
    p = subprocess.Popen(args)
    before = signal.signal(signal.SIGTERM, lambda *_: p.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return p.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, before)
