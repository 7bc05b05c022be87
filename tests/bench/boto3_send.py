#!/usr/bin/env python3
"""Baseline for `evrelay send --count N`: the straightforward boto3 sender.

PutEvents in batches of 10, one request at a time, in one thread; the same events evrelay
sends by default (the tutorial's source and detail-type, a fresh event-id each). The endpoint
comes from AWS_ENDPOINT_URL like any boto3 client. Prints one JSON line with the figures.
"""
import argparse
import json
import sys
import time
import uuid

import boto3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bus", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()

    client = boto3.client("events")
    sent = failed = 0
    started = time.perf_counter()
    for start in range(0, args.count, 10):
        entries = [
            {
                "EventBusName": args.bus,
                "Source": "eventProducerApp",
                "DetailType": "inbound-event-sent",
                "Detail": json.dumps({"event-id": str(uuid.uuid4())}),
            }
            for _ in range(min(10, args.count - start))
        ]
        result = client.put_events(Entries=entries)
        failed += result["FailedEntryCount"]
        sent += len(entries) - result["FailedEntryCount"]
    seconds = time.perf_counter() - started
    print(json.dumps({"sent": sent, "failed": failed, "seconds": round(seconds, 3),
                      "events_per_second": round(sent / seconds, 1)}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
