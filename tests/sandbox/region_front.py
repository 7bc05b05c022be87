"""A Region's own API endpoint in front of the one moto server (the two-Region sandbox).

moto serves every Region from one port and takes the Region from the request's SigV4 credential
scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`). The sandbox's pieces (the
Lambda stand-in, its runner and pollers, the metrics, the receiver's Secrets Manager reads) sign
for us-east-1 (moto_proc.REGION) and know nothing of Regions. Pointed at a `RegionFront` instead
of moto, all of them act in the front's Region unchanged, as a client of
`events.us-west-2.amazonaws.com` does on AWS: the front rewrites the Region in the credential
scope and forwards the request byte for byte (moto verifies no signature). SigV4a requests
(`AWS4-ECDSA-P256-SHA256`, no Region in the scope) pass unchanged.

    front = RegionFront(moto.endpoint, "us-west-2").start()
    client("sqs", front.endpoint).list_queues()    # us-west-2's queues
"""

from __future__ import annotations

import re

from slow_aws import SlowAws, _Server

_SCOPE = re.compile(r"(Credential=[^/,\s]+/\d{8}/)([a-z0-9-]+)(/)")


def in_region(authorization: str, region: str) -> str:
    """The Authorization header with its SigV4 credential scope's Region replaced."""
    if not authorization.startswith("AWS4-HMAC-SHA256"):
        return authorization
    return _SCOPE.sub(lambda m: m.group(1) + region + m.group(3), authorization, count=1)


class _RegionServer(_Server):
    record = False
    region = ""

    def upstream_headers(self, headers: dict) -> dict:
        return {k: in_region(v, self.region) if k.lower() == "authorization" else v
                for k, v in headers.items()}


class RegionFront(SlowAws):
    """A pass-through to moto that makes every SigV4 request act in `region`."""

    server_class = _RegionServer

    def __init__(self, upstream: str, region: str):
        super().__init__(upstream, {})
        self._srv.region = region
        self.region = region
