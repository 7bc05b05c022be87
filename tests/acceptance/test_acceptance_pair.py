"""The relay pair's acceptance scenario (scenario_pair.py) against the two-Region sandbox (the
default, in CI) and, with EVRELAY_ACCEPTANCE=1 and AWS_PROFILE, against a real account.

    .venv/bin/python -m pytest tests/acceptance/test_acceptance_pair.py -q
    EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox AWS_REGION=us-east-1 \\
        .venv/bin/python -m pytest tests/acceptance/test_acceptance_pair.py -q -s --yes \\
        --secondary-region us-west-2

On the emulator each Region's scaffolding is made in moto by scaffold.py, as on AWS; each
Region's Lambda stand-in answers any of its Region's ALB names with that Region's receiver, which
checks the key against the stack's secret in that Region.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import requests

from backend_choice import BIN, REAL, emulator, needs_binary
from evrelay_cli import Evrelay, evrelay_env
from foreground import in_foreground
from moto_proc import BOTO_CONFIG
from scaffold import Clients, Scaffold, ScaffoldState
import scenario_pair
from tagscan import leftovers_in_regions
from test_e2e_global import PRIMARY, SECONDARY

HERE = os.path.dirname(os.path.abspath(__file__))


class EmulatorPairBackend(scenario_pair.PairBackend):
    name = "emulator"

    def __init__(self, clients, scaffolds, pair):
        super().__init__(clients, scaffolds)
        self.pair = pair

    def after_deploy(self, stack: str) -> None:
        for region in self.scaffolds:
            self.pair.sandbox("hook", "--stack", stack, region=region)

    def settle(self, stack: str) -> None:
        for region in self.scaffolds:
            self.pair.sandbox("wait-idle", "--stack", stack, region=region)

    def _seen(self, region: str, event_id: str) -> dict:
        return self.pair.stats(region)["by_event_id"].get(event_id) or {"received": 0, "accepted": 0}

    def endpoint_outcomes(self, region: str, event_id: str) -> dict[str, int]:
        seen = self._seen(region, event_id)
        return {"accepted": seen["accepted"], "refused": seen["received"] - seen["accepted"]}

    def keys_received(self, region: str, event_id: str) -> list[str]:
        return [q["idempotency_key"] for q in self.pair.stats(region)["last_requests"] if q["event_id"] == event_id]


def emulator_clients(endpoint: str, region: str) -> Clients:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return Clients(session, endpoint_url=endpoint, config=BOTO_CONFIG)


def pair_scaffolds(endpoint: str, run_id: str, state_dir) -> tuple[dict, dict]:
    """Both Regions' scaffolding, one run id (one tag value); IAM is global, so the secondary's
    role is named after its Region."""
    clients = {r: emulator_clients(endpoint, r) for r in (PRIMARY, SECONDARY)}
    scaffolds = {}
    for region in (PRIMARY, SECONDARY):
        state = ScaffoldState(run_id=run_id, region=region,
                              role_name="" if region == PRIMARY else f"{run_id}-target-{region}")
        scaffolds[region] = Scaffold(clients[region], state, str(state_dir / f"scaffold-{region}.json"), poll=0.2)
    return clients, scaffolds


@pytest.fixture
def scaffolded_pair(pair, tmp_path):
    clients, scaffolds = pair_scaffolds(pair.endpoint, f"evacc-{uuid.uuid4().hex[:8]}", tmp_path)
    try:
        for sc in scaffolds.values():
            sc.create()
        yield clients, scaffolds
    finally:
        for sc in scaffolds.values():
            sc.teardown(deadline_seconds=30)


# ---- the scenario --------------------------------------------------------------------------------

@emulator
@needs_binary
def test_pair_scenario_on_the_emulator(pair, scaffolded_pair, tmp_path):
    clients, scaffolds = scaffolded_pair
    stack = scaffolds[PRIMARY].s.run_id
    # Each Region's app checks this stack's own secret there, as each real target does.
    for key in ("SANDBOX_CONTROL_URL", "SANDBOX_SECONDARY_CONTROL_URL"):
        requests.post(pair.env[key], json={"mode": "ok", "reset": True, "api_key": None, "stack": stack,
                                           "secret_id": None}, timeout=10).raise_for_status()
    env = evrelay_env({k: v for k, v in pair.env.items() if k.startswith("AWS_")}, str(tmp_path / "evrelay.toml"))
    run = scenario_pair.PairRun(Evrelay(BIN, env, stack), EmulatorPairBackend(clients, scaffolds, pair),
                                stack, PRIMARY, SECONDARY)

    scenario_pair.play(run)

    for sc in scaffolds.values():
        assert sc.teardown(deadline_seconds=30) == []
    left = scenario_pair.nothing_left(run)
    assert left == [], "left behind:\n" + "\n".join(map(str, left))
    # The health check as status showed it at each step (what a real run records for AWS).
    steps = [f["step"] for f in run.findings]
    assert steps == ["status after deploy", "failover start", "status after failover start",
                     "failover stop", "status after failover stop"], steps


# ---- the real-account pair run: refused, skipped, and its cleanup against the emulator ----------

RUNNER = [sys.executable, "-u", os.path.join(HERE, "real_account.py")]
NO_ACCOUNT = {k: v for k, v in os.environ.items() if k not in ("EVRELAY_ACCEPTANCE", "AWS_PROFILE")}
SKIP_REAL = "real-account run: set EVRELAY_ACCEPTANCE=1 and AWS_PROFILE (see tests/acceptance/README.md)"


@pytest.mark.skipif(not REAL, reason=SKIP_REAL)
@needs_binary
def test_pair_scenario_on_a_real_account(pytestconfig, capsys):
    secondary = pytestconfig.getoption("--secondary-region")
    if not secondary:
        pytest.skip("the pair's real-account run deploys in two Regions: pass --secondary-region R")
    args = [*RUNNER, "--secondary-region", secondary]
    if pytestconfig.getoption("--yes"):
        args.append("--yes")
    with capsys.disabled():
        rc = in_foreground(args)
    assert rc == 0, f"the pair's acceptance run on account profile {os.environ['AWS_PROFILE']} failed (exit {rc}); see its output above"


def test_without_the_variable_the_pair_run_refuses_and_its_test_is_skipped(tmp_path):
    r = subprocess.run([*RUNNER, "--region", PRIMARY, "--secondary-region", SECONDARY, "--yes"], env=NO_ACCOUNT,
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout.strip() == ("Not starting: a real-account run needs EVRELAY_ACCEPTANCE=1 and AWS_PROFILE "
                                "(see tests/acceptance/README.md).")
    assert not list(tmp_path.iterdir())
    node = f"{os.path.abspath(__file__)}::test_pair_scenario_on_a_real_account"
    t = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", node], env=NO_ACCOUNT,
                       capture_output=True, text=True, timeout=120, cwd=HERE, stdin=subprocess.DEVNULL)
    assert t.returncode == 0, t.stdout + t.stderr
    assert "SKIPPED [1] test_acceptance_pair.py" in t.stdout and SKIP_REAL in t.stdout, t.stdout
    # With an account selected but one Region only, the pair's run does not start either (the
    # profile names nothing: had it started, it would have stopped at the profile).
    nowhere = {**NO_ACCOUNT, "EVRELAY_ACCEPTANCE": "1", "AWS_PROFILE": f"evacc-no-such-profile-{uuid.uuid4().hex[:6]}"}
    t = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", node], env=nowhere,
                       capture_output=True, text=True, timeout=120, cwd=HERE, stdin=subprocess.DEVNULL)
    assert t.returncode == 0, t.stdout + t.stderr
    assert "deploys in two Regions: pass --secondary-region R" in t.stdout, t.stdout


def run_pair(pair, tmp_path, env=None) -> subprocess.Popen:
    return subprocess.Popen([*RUNNER, "--yes", "--endpoint-url", pair.endpoint, "--region", PRIMARY,
                             "--secondary-region", SECONDARY, "--run-dir", str(tmp_path)],
                            env={**NO_ACCOUNT, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def scan_both(pair, tmp_path) -> list:
    state = json.load(open(tmp_path / "pair.json"))
    scaffolds = {r: json.load(open(tmp_path / f)) for r, f in state["scaffolds"].items()}
    clients = {r: emulator_clients(pair.endpoint, r) for r in scaffolds}
    return leftovers_in_regions(clients, state["stack"], state["stack"], {r: s["vpc_id"] for r, s in scaffolds.items()},
                                tuple(s["role_name"] for s in scaffolds.values()))


@emulator
@needs_binary
def test_sigterm_after_the_pair_is_deployed_cleans_up_both_regions(pair, tmp_path):
    p, out = run_pair(pair, tmp_path), []
    try:
        for line in p.stdout:  # stop it once deployed: both relays, the endpoint, the archive exist
            out.append(line)
            if line.startswith("$ evrelay") and " send " in line:
                p.send_signal(signal.SIGTERM)
                break
        out += p.stdout.readlines()
        rc = p.wait(timeout=180)
    finally:
        if p.poll() is None:
            p.kill()
    text = "".join(out)
    assert rc == 1, text
    assert "SIGTERM: stopping the scenario" in text, text
    assert [ln for ln in text.splitlines() if ln.startswith("$ evrelay") and " destroy --yes" in ln], text
    assert f"nothing left: the tag scan of {PRIMARY} and {SECONDARY}" in text, text
    assert scan_both(pair, tmp_path) == []


@emulator
@needs_binary
def test_a_pair_run_that_died_is_cleaned_up_in_both_regions_from_its_state_file(pair, tmp_path):
    # The machine dies once the pair is deployed (SIGKILL: no cleanup at all); the send it was
    # in hangs, as a send to a cold relay may.
    hung = tmp_path / "send.pid"
    wrapper = tmp_path / "evrelay-hung-send"
    wrapper.write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = send ] && echo $$ > {hung} && exec sleep 120; done\n'
                       f'exec {BIN} "$@"\n')
    wrapper.chmod(0o755)
    p = run_pair(pair, tmp_path, env={"EVRELAY_BIN": str(wrapper)})
    try:
        for line in p.stdout:
            if line.startswith("$ evrelay") and " send " in line:
                break
        deadline = time.monotonic() + 30
        while not (hung.exists() and hung.read_text().strip()):
            assert time.monotonic() < deadline, "the send never started"
            time.sleep(0.1)
        p.kill()
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
        if hung.exists() and hung.read_text().strip():
            try:
                os.kill(int(hung.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
    found = scan_both(pair, tmp_path)
    kinds = {x.kind for x in found}
    assert {"CloudFormation stack", "EventBridge global endpoint", "vpc"} <= kinds, "\n".join(map(str, found))

    r = subprocess.run([*RUNNER, "--endpoint-url", pair.endpoint, "--cleanup", str(tmp_path / "pair.json")],
                       env=NO_ACCOUNT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"nothing left: the tag scan of {PRIMARY} and {SECONDARY}" in r.stdout, r.stdout
    assert scan_both(pair, tmp_path) == []
