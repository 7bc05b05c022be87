"""The two-Region sandbox's secondary Region: the same pieces as the primary's, in a Region of
their own on the one moto server.

    python tests/sandbox/sandbox.py up --state-dir DIR --secondary-region us-west-2

starts, beside everything the primary (us-east-1) has, a `RegionFront` (region_front.py: the
Region's API endpoint), the tutorial's account seeded in that Region (cluster `events`, its
internal ALB), a second receiving app (its own port, counters and `/_control`, reading its key
from that Region's Secrets Manager), and a Lambda stand-in with its watcher that hooks the relay
stacks of that Region: each Region's relay is invoked for its own bus's inbound rule, posts to
its own receiver, and puts its response event on its own bus. Nothing is shared between the two
but moto (and so IAM and Route 53, global on AWS too).

DIR/env gains SANDBOX_SECONDARY_REGION and the secondary's URLs and ids under the primary's names
with SECONDARY_ after SANDBOX_ (SANDBOX_SECONDARY_RECEIVER_URL, ..._CONTROL_URL, ..._STATS_URL,
..._ADMIN_URL, ..._ALB_URL, ..._VPC_ID); `sandbox.py hook|wait-idle|receiver|stats|status
--region R` address that Region's pieces.
"""

from __future__ import annotations

import json
import logging
import os

from moto_proc import REGION, client

log = logging.getLogger("sandbox")

# The pieces that are per Region, by their primary name; the secondary's is SANDBOX_SECONDARY_<X>.
PER_REGION = ("RECEIVER_URL", "CONTROL_URL", "STATS_URL", "ADMIN_URL", "ALB_URL", "VPC_ID")


class SecondaryRegion:
    def __init__(self, moto_endpoint: str, region: str, state_dir: str, admin_for, seed: bool = True):
        """`admin_for(service)`: the supervisor's /_sandbox handler bound to this Region's
        Lambda stand-in (sandbox._admin)."""
        if region == REGION:
            raise ValueError(f"the secondary Region must not be the primary ({REGION})")
        self.moto_endpoint, self.region, self.state_dir = moto_endpoint, region, state_dir
        self.admin_for, self.seed = admin_for, seed
        self.front = self.receiver = self.service = self.watcher = None
        self.seeded: dict = {}

    def start(self) -> "SecondaryRegion":
        from lambda_service import LambdaService
        from lambda_watcher import Watcher
        from receiver_app import ReceiverServer, ReceiverState
        from region_front import RegionFront
        from seed_account import seed_account

        self.front = RegionFront(self.moto_endpoint, self.region).start()
        aws = self.front.endpoint
        if self.seed:
            self.seeded = seed_account(client("ec2", aws), client("elbv2", aws), region=self.region)
        state = ReceiverState(lambda: client("secretsmanager", aws))
        box: dict = {}
        self.receiver = ReceiverServer(state, admin=lambda m, p, raw: box["admin"](m, p, raw))
        self.service = LambdaService(aws, receiver_url=self.receiver.url, region=self.region,
                                     work_dir=os.path.join(self.state_dir, f"functions-{self.region}"))
        box["admin"] = self.admin_for(self.service)
        self.receiver.start()
        self.watcher = Watcher(self.service).start()
        with open(os.path.join(self.state_dir, f"seeded-{self.region}.json"), "w") as f:
            json.dump(self.seeded, f, indent=2)
        log.info("secondary %s: receiver %s, API %s", self.region, self.receiver.url, aws)
        return self

    def env(self) -> dict:
        base = self.receiver.url.rstrip("/")
        ev = self.seeded.get("events", {})
        values = {
            "RECEIVER_URL": self.receiver.url,
            "CONTROL_URL": f"{base}/_control",
            "STATS_URL": f"{base}/_stats",
            "ADMIN_URL": f"{base}/_sandbox",
            "ALB_URL": f"http://{ev['internal_alb_dns']}/" if ev.get("internal_alb_dns") else "",
            "VPC_ID": ev.get("vpc_id", ""),
        }
        return {"SANDBOX_SECONDARY_REGION": self.region,
                **{f"SANDBOX_SECONDARY_{k}": v for k, v in values.items()}}

    def stop(self) -> None:
        for part in (self.watcher, self.service, self.receiver, self.front):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - stopping everything regardless
                    log.exception("stopping the secondary Region's %s", type(part).__name__)


def region_env(env: dict, region: str | None) -> dict:
    """The sandbox's env as seen from `region`: the secondary's pieces under the primary's names
    when `region` is the secondary; the env unchanged for the primary (or no Region)."""
    if not region or region == env.get("AWS_REGION", REGION):
        return env
    if region != env.get("SANDBOX_SECONDARY_REGION"):
        raise SystemExit(f"sandbox: no Region {region} here (the primary is {env.get('AWS_REGION', REGION)}"
                         f", the secondary {env.get('SANDBOX_SECONDARY_REGION') or 'not started: up --secondary-region R'})")
    out = dict(env)
    for k in PER_REGION:
        out[f"SANDBOX_{k}"] = env.get(f"SANDBOX_SECONDARY_{k}", "")
    out["AWS_REGION"] = out["AWS_DEFAULT_REGION"] = region
    return out
