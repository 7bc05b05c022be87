"""The real evrelay binary, run with `--output json`: exit code plus the JSON it printed.

Commands that follow a stack (deploy, destroy) print JSON Lines (progress events, then a
result); the others print one document. Both are returned as a list of documents. Each run is
started in its own session, so a Ctrl-C at the terminal reaches the acceptance run (which then
cleans up) and not a half-finished evrelay command.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass


@dataclass
class Result:
    args: list[str]
    rc: int
    docs: list
    stdout: str
    stderr: str

    @property
    def doc(self):
        """The command's result: the last document (deploy and destroy end with it)."""
        return self.docs[-1] if self.docs else None

    def of_type(self, t: str) -> list[dict]:
        return [d for d in self.docs if isinstance(d, dict) and d.get("type") == t]

    def explain(self) -> str:
        return (f"`evrelay {' '.join(self.args)}` exited {self.rc}\n"
                f"stdout:\n{self.stdout[-4000:]}\nstderr:\n{self.stderr[-4000:]}")


def parse_json_output(text: str) -> list:
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class Evrelay:
    def __init__(self, binary: str, env: dict[str, str], stack: str, log=print):
        self.binary, self.env, self.stack, self.log = binary, env, stack, log
        self._help: dict[str, str] = {}

    def __call__(self, *args: str, timeout: float = 300) -> Result:
        argv = ["--output", "json", "--no-color", "--stack", self.stack, *args]
        self.log(f"$ evrelay {' '.join(argv)}")
        p = subprocess.run([self.binary, *argv], capture_output=True, text=True, timeout=timeout,
                           env=self.env, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            docs = parse_json_output(p.stdout)
        except ValueError as e:
            raise AssertionError(f"`evrelay {' '.join(argv)}` printed something that is not JSON ({e}):\n{p.stdout[-2000:]}")
        return Result(argv, p.returncode, docs, p.stdout, p.stderr)

    def ok(self, *args: str, timeout: float = 300) -> Result:
        r = self(*args, timeout=timeout)
        assert r.rc == 0, r.explain()
        return r

    def supports(self, command: str, flag: str) -> bool:
        """Whether this build's `evrelay COMMAND --help` names FLAG (other work changes flags)."""
        if command not in self._help:
            p = subprocess.run([self.binary, command, "--help"], capture_output=True, text=True,
                               env=self.env, stdin=subprocess.DEVNULL, timeout=30)
            self._help[command] = p.stdout
        return flag in self._help[command]


def evrelay_env(aws: dict[str, str], config_path: str) -> dict[str, str]:
    """The caller's environment without its AWS_* variables, plus `aws` (the backend's) and a
    config file of the run's own, so no remembered setting leaks in or out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(aws)
    env["EVRELAY_CONFIG"] = config_path
    env["NO_COLOR"] = "1"
    return env
