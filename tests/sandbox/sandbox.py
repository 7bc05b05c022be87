#!/usr/bin/env python3
"""evrelay's local sandbox: moto as the AWS, plus what moto lacks, around an unmodified evrelay.

    python tests/sandbox/sandbox.py up --state-dir DIR [--owner-pid PID] [--app-stack S]
                                       [--secondary-region R]
        Starts the supervisor in the background (its own session) and returns once it is ready:
        moto_server on a free loopback port, the seeded account (cluster `events`), the receiving
        app, and a watcher that hooks every relay stack reaching CREATE/UPDATE_COMPLETE (and
        unhooks it once it is gone). Writes DIR/env (KEY=VALUE, sourceable) and DIR/env.json.
        With --owner-pid, the supervisor also stops by itself when that process exits.
        With --secondary-region, Region R gets its own account, receiver and Lambda stand-in
        (sandbox_region.py); hook, wait-idle, receiver, stats and status take --region R.
    ... serve --state-dir DIR       the same in the foreground (Ctrl-C stops everything)
    ... down --state-dir DIR        stops the supervisor, moto and every worker; idempotent
    ... hook --state-dir DIR --stack S [--timeout 30]
        Blocks until stack S is hooked (hooks it now if the watcher has not yet); prints JSON.
        Call it right after `evrelay deploy` so the first `evrelay send` cannot race the watcher.
    ... wait-idle --state-dir DIR --stack S [--timeout 60]
        Blocks until the stack's tap is empty and no invocation (or retry) is in flight.
    ... receiver --state-dir DIR [--mode ok|reject|stall|error] [--stall-seconds N] [--times N]
                 [--stall-status CODE] [--wrong-key 401|success-false]
                 [--app-stack S] [--reset]          sets the receiving app's behaviour
    ... stats --state-dir DIR       the receiver's counters (JSON)
    ... status --state-dir DIR      hooked stacks and their runner counters (JSON)

Everything the supervisor starts is stopped on `down`, SIGTERM, SIGINT (Ctrl-C), SIGHUP and when
the owner process exits; moto and the function workers run in their own process groups and moto
also gets SIGTERM from the kernel if the supervisor is SIGKILLed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from moto_proc import DUMMY_ENV, MotoServer  # noqa: E402
from sandbox_lifecycle import down, http, pid_alive, read_env, up, write_atomic  # noqa: E402

log = logging.getLogger("sandbox")


# ---- the supervisor ------------------------------------------------------------------------------

def serve(state_dir: str, owner_pid: int | None = None, app_stack: str | None = None,
          seed: bool = True, secondary_region: str | None = None) -> int:
    from alb_front import AlbFront
    from lambda_service import LambdaService, NotARelayStack
    from lambda_watcher import Watcher
    from receiver_app import ReceiverServer, ReceiverState
    from seed_account import seed_account
    from tls_ca import CertificateAuthority

    os.makedirs(state_dir, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())

    moto = MotoServer(log_path=os.path.join(state_dir, "moto.log"))
    receiver = watcher = service = front = secondary = None
    try:
        moto.start()
        write_atomic(os.path.join(state_dir, "moto.pid"), str(moto.proc.pid))
        seeded = seed_account(moto.client("ec2"), moto.client("elbv2")) if seed else {}
        state = ReceiverState(lambda: moto.client("secretsmanager"))
        if app_stack:
            state.control({"stack": app_stack})
        service_box: dict = {}

        def admin(method: str, path: str, raw: bytes):
            return _admin(service_box["service"], method, path, raw, NotARelayStack)

        receiver = ReceiverServer(state, admin=admin)
        ca = CertificateAuthority.create(os.path.join(state_dir, "tls"))
        front = AlbFront(state, ca).start()
        service = LambdaService(moto.endpoint, receiver_url=receiver.url,
                                work_dir=os.path.join(state_dir, "functions"),
                                front=front, ca_bundle=ca.bundle)
        service_box["service"] = service
        receiver.start()
        watcher = Watcher(service).start()

        base = receiver.url.rstrip("/")
        ev = seeded.get("events", {})
        env = {
            "AWS_ENDPOINT_URL": moto.endpoint,
            **DUMMY_ENV,
            "AWS_CONFIG_FILE": os.path.join(state_dir, "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(state_dir, "aws-credentials"),
            # evrelay.toml for this sandbox only: a deploy's remembered settings never leak
            # into the working directory or into another run.
            "EVRELAY_CONFIG": os.path.join(state_dir, "evrelay.toml"),
            "SANDBOX_RECEIVER_URL": receiver.url,
            "SANDBOX_CONTROL_URL": f"{base}/_control",
            "SANDBOX_STATS_URL": f"{base}/_stats",
            "SANDBOX_ADMIN_URL": f"{base}/_sandbox",
            "SANDBOX_ALB_URL": f"http://{ev['internal_alb_dns']}/" if ev.get("internal_alb_dns") else "",
            "SANDBOX_VPC_ID": ev.get("vpc_id", ""),
            # HTTPS: the ALB's listener certificate names SANDBOX_APP_HOST only (issued by the
            # sandbox CA in SANDBOX_CA_BUNDLE, which the relay trusts); its HTTP listener
            # redirects to HTTPS.
            "SANDBOX_APP_HOST": front.app_host,
            "SANDBOX_CA_BUNDLE": ca.bundle,
            "SANDBOX_HTTPS_ALB_URL": f"https://{ev['internal_alb_dns']}/" if ev.get("internal_alb_dns") else "",
            "SANDBOX_HTTPS_APP_URL": f"https://{front.app_host}/",
            "SANDBOX_HTTP_REDIRECT_URL": f"http://{front.app_host}/",
            "SANDBOX_PID": str(os.getpid()),
            "SANDBOX_STATE_DIR": os.path.abspath(state_dir),
        }
        env.pop("AWS_SESSION_TOKEN", None)
        if secondary_region:  # the two-Region sandbox (sandbox_region.py)
            from sandbox_region import SecondaryRegion
            secondary = SecondaryRegion(
                moto.endpoint, secondary_region, state_dir, seed=seed,
                admin_for=lambda svc: lambda m, p, raw: _admin(svc, m, p, raw, NotARelayStack)).start()
            env.update(secondary.env())
        for f in ("aws-config", "aws-credentials"):
            open(os.path.join(state_dir, f), "a").close()
        with open(os.path.join(state_dir, "seeded.json"), "w") as f:
            json.dump(seeded, f, indent=2)
        write_atomic(os.path.join(state_dir, "env.json"), json.dumps(env, indent=2))
        write_atomic(os.path.join(state_dir, "env"), "".join(f"{k}={v}\n" for k, v in env.items()))
        log.info("ready: moto %s, receiver %s", moto.endpoint, receiver.url)

        while not stop.wait(0.5):
            if moto.proc is None or moto.proc.poll() is not None:
                log.error("moto_server exited; stopping")
                break
            if owner_pid and not pid_alive(owner_pid):
                log.info("owner %d is gone; stopping", owner_pid)
                break
        return 0
    finally:
        log.info("stopping")
        t0 = time.monotonic()
        for f in ("env", "env.json"):
            try:
                os.remove(os.path.join(state_dir, f))
            except FileNotFoundError:
                pass
        if watcher:
            watcher.stop()
        log.info("watcher stopped (%.2fs)", time.monotonic() - t0)
        if service:
            service.stop()
        if receiver:
            receiver.stop()
        if front:
            front.stop()
        if secondary:
            secondary.stop()
        log.info("receiver stopped (%.2fs)", time.monotonic() - t0)
        moto.stop()
        for f in ("moto.pid",):
            try:
                os.remove(os.path.join(state_dir, f))
            except FileNotFoundError:
                pass
        log.info("stopped")


def _admin(service, method: str, path: str, raw: bytes, not_relay) -> tuple[int, dict]:
    """The supervisor's API under /_sandbox on the receiver's port."""
    u = urllib.parse.urlsplit(path)
    q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
    route = u.path[len("/_sandbox"):].strip("/")
    stack = q.get("stack")
    timeout = float(q.get("timeout", 30))
    if route == "status":
        return 200, service.status()
    if route == "hook" and stack:
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            try:
                return 200, service.hook(stack)
            except not_relay as e:
                return 404, {"error": str(e)}
            except Exception as e:  # noqa: BLE001 - stack not there or not complete yet
                last = str(e)
            if time.monotonic() > deadline:
                return 504, {"error": f"{stack} not hooked after {timeout:g}s: {last}"}
            time.sleep(0.3)
    if route == "idle" and stack:
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            quiet = quiet + 1 if service.idle(stack) else 0
            if quiet >= 2:
                return 200, {"stack": stack, "idle": True, **service.status()["stacks"].get(stack, {})}
            time.sleep(0.2)
        return 504, {"stack": stack, "idle": False}
    if route == "unhook" and stack:
        return 200, {"stack": stack, "unhooked": service.unhook(stack)}
    return 404, {"error": f"unknown sandbox route {method} {u.path}"}


# ---- the client side ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="sandbox.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def cmd(name, **kw):
        sp = sub.add_parser(name, **kw)
        sp.add_argument("--state-dir", required=True)
        return sp

    sp = cmd("up")
    sp.add_argument("--owner-pid", type=int)
    sp.add_argument("--app-stack", help="the app reads its key from <S>-api-key (default: any *-api-key)")
    sp.add_argument("--timeout", type=float, default=60)
    sp.add_argument("--secondary-region", help="also play this Region (sandbox_region.py)")
    sp = cmd("serve")
    sp.add_argument("--owner-pid", type=int)
    sp.add_argument("--app-stack")
    sp.add_argument("--no-seed", action="store_true")
    sp.add_argument("--secondary-region")
    cmd("down")
    sp = cmd("hook")
    sp.add_argument("--stack", required=True)
    sp.add_argument("--timeout", type=float, default=30)
    sp = cmd("wait-idle")
    sp.add_argument("--stack", required=True)
    sp.add_argument("--timeout", type=float, default=60)
    sp = cmd("receiver")
    sp.add_argument("--mode", choices=["ok", "reject", "stall", "error"])
    sp.add_argument("--stall-seconds", type=float)
    sp.add_argument("--times", type=int)
    sp.add_argument("--stall-status", type=int, help="answer this after a stall (default 504)")
    sp.add_argument("--wrong-key", choices=["401", "success-false"])
    sp.add_argument("--app-stack")
    sp.add_argument("--reset", action="store_true")
    cmd("stats")
    cmd("status")
    for name in ("hook", "wait-idle", "receiver", "stats", "status"):
        sub.choices[name].add_argument("--region", help="the secondary Region's pieces (default: the primary's)")
    a = p.parse_args(argv)

    if a.cmd == "serve":
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
        rc = serve(a.state_dir, a.owner_pid, a.app_stack, seed=not a.no_seed,
                   secondary_region=a.secondary_region)
        # Everything was stopped explicitly; don't let a stuck invocation thread (a stalled
        # relay request in an executor thread) hold the interpreter's exit.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)
    if a.cmd == "up":
        return up(a.state_dir, a.owner_pid, a.app_stack, a.timeout, a.secondary_region)
    if a.cmd == "down":
        return down(a.state_dir)

    from sandbox_region import region_env
    env = region_env(read_env(a.state_dir), a.region)
    admin = env["SANDBOX_ADMIN_URL"]
    if a.cmd == "hook":
        q = urllib.parse.urlencode({"stack": a.stack, "timeout": a.timeout})
        status, out = http("POST", f"{admin}/hook?{q}", timeout=a.timeout + 30)
    elif a.cmd == "wait-idle":
        q = urllib.parse.urlencode({"stack": a.stack, "timeout": a.timeout})
        status, out = http("POST", f"{admin}/idle?{q}", timeout=a.timeout + 30)
    elif a.cmd == "receiver":
        body = {}
        if a.mode:
            body["mode"] = a.mode
        if a.stall_seconds is not None:
            body["stall_seconds"] = a.stall_seconds
        if a.times is not None:
            body["times"] = a.times
        if a.stall_status is not None:
            body["stall_status"] = a.stall_status
        if a.wrong_key:
            body["wrong_key"] = a.wrong_key
        if a.app_stack:
            body["stack"] = a.app_stack
        if a.reset:
            body["reset"] = True
        status, out = http("POST", env["SANDBOX_CONTROL_URL"], body)
    elif a.cmd == "stats":
        status, out = http("GET", env["SANDBOX_STATS_URL"])
    else:
        status, out = http("GET", f"{admin}/status")
    print(json.dumps(out, indent=2, default=str))
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
