#!/usr/bin/env python3
"""Baseline for `evrelay dlq drain`: the straightforward boto3 drain loop.

ReceiveMessage (10 at a time, 1 s long poll) → append each message as a JSON line → fsync →
DeleteMessageBatch, in one thread, until a receive comes back empty and the queue reports no
messages (the same stop rule evrelay uses). Prints one JSON line with the figures.
"""
import argparse
import json
import os
import sys
import time

import boto3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=args.queue)["QueueUrl"]
    drained = empties = 0
    started = time.perf_counter()
    with open(args.out, "a", encoding="utf-8") as out:
        while empties < 3:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                AttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                empties += 1
                attrs = sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                if sum(int(v) for v in attrs.values()) == 0:
                    break
                continue
            empties = 0
            for m in messages:
                out.write(json.dumps({
                    "message_id": m["MessageId"], "queue": args.queue,
                    "attributes": m.get("Attributes", {}),
                    "message_attributes": {k: v.get("StringValue", "") for k, v in m.get("MessageAttributes", {}).items()},
                    "body": m["Body"],
                }) + "\n")
            out.flush()
            os.fsync(out.fileno())
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ])
            drained += len(messages)
    seconds = time.perf_counter() - started
    print(json.dumps({"drained": drained, "seconds": round(seconds, 3),
                      "messages_per_second": round(drained / seconds, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
