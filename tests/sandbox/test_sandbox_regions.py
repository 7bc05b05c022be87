"""The two-Region sandbox's pieces (sandbox_region.py, region_front.py): each Region's requests
reach that Region in moto, and the CLI addresses each Region's receiver and Lambda stand-in."""

from __future__ import annotations

import pytest

from moto_proc import client
from region_front import RegionFront, in_region
from sandbox_region import region_env

SIGV4 = ("AWS4-HMAC-SHA256 Credential=testing/20261205/us-east-1/sqs/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=abc")


def test_the_front_rewrites_the_signing_region_only():
    assert in_region(SIGV4, "us-west-2") == SIGV4.replace("/us-east-1/", "/us-west-2/")
    sigv4a = "AWS4-ECDSA-P256-SHA256 Credential=testing/20261205/events/aws4_request, Signature=3045"
    assert in_region(sigv4a, "us-west-2") == sigv4a  # no Region in a SigV4a scope


def test_a_client_of_the_front_acts_in_the_fronts_region(moto):
    front = RegionFront(moto.endpoint, "us-west-2").start()
    try:
        client("sqs", front.endpoint).create_queue(QueueName="only-in-the-west")
        west = moto.client("sqs", region_name="us-west-2").list_queues().get("QueueUrls", [])
        east = moto.client("sqs").list_queues(QueueNamePrefix="only-in").get("QueueUrls", [])
        assert [u.rsplit("/", 1)[-1] for u in west if "only-in" in u] == ["only-in-the-west"]
        assert east == []
        # Lambda's REST API (PUT/DELETE) goes through too.
        lam = client("lambda", front.endpoint)
        assert lam.list_functions()["Functions"] is not None
    finally:
        front.stop()


ENV = {"AWS_REGION": "us-east-1", "SANDBOX_RECEIVER_URL": "http://east/", "SANDBOX_ADMIN_URL": "http://east/_sandbox",
       "SANDBOX_SECONDARY_REGION": "us-west-2", "SANDBOX_SECONDARY_RECEIVER_URL": "http://west/",
       "SANDBOX_SECONDARY_ADMIN_URL": "http://west/_sandbox"}


def test_the_cli_addresses_each_regions_pieces():
    assert region_env(ENV, None) == ENV
    assert region_env(ENV, "us-east-1") == ENV
    west = region_env(ENV, "us-west-2")
    assert (west["SANDBOX_RECEIVER_URL"], west["SANDBOX_ADMIN_URL"], west["AWS_REGION"]) == (
        "http://west/", "http://west/_sandbox", "us-west-2")
    with pytest.raises(SystemExit, match="no Region eu-west-1 here"):
        region_env(ENV, "eu-west-1")
