#!/usr/bin/env python3
"""Fixtures for send_drain.sh: create the bus and queue, seed the DLQ, write AWS CLI batches."""
import json
import sys
import uuid

import boto3


def record(i: int) -> str:
    """A Lambda destination record like the relay's (relay-lambda/README.md), ~1 KB."""
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "inbound-event-sent",
             "source": "eventProducerApp", "account": "123456789012", "time": "2026-11-24T08:00:00Z",
             "region": "us-east-1", "resources": [], "detail": {"event-id": str(uuid.uuid4()), "n": i}}
    return json.dumps({
        "version": "1.0", "timestamp": "2026-11-24T08:00:05.000Z",
        "requestContext": {"requestId": str(uuid.uuid4()),
                           "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:bench-relay:$LATEST",
                           "condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": f"event {event['id']}: 503: unavailable", "errorType": "RelayError"},
    })


def main() -> int:
    action = sys.argv[1]
    if action == "stack":
        # The bus and the DLQ in a stack tagged like one evrelay deployed, so a command that
        # checks the stack is evrelay's before touching its queue finds it so.
        stack = sys.argv[2]
        template = {"Resources": {
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": f"{stack}-bus"}},
            "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{stack}-dlq"}},
        }}
        boto3.client("cloudformation").create_stack(
            StackName=stack, TemplateBody=json.dumps(template),
            Tags=[{"Key": "evrelay:managed", "Value": "true"}, {"Key": "evrelay:stack", "Value": stack}])
    elif action == "seed":
        queue, count = sys.argv[2], int(sys.argv[3])
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        for start in range(0, count, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": record(start + i)} for i in range(min(10, count - start))
            ])
    elif action == "cli-batches":
        bus, count, directory = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        for b, start in enumerate(range(0, count, 10)):
            entries = [{"EventBusName": bus, "Source": "eventProducerApp", "DetailType": "inbound-event-sent",
                        "Detail": json.dumps({"event-id": str(uuid.uuid4())})} for _ in range(min(10, count - start))]
            with open(f"{directory}/batch-{b:05d}.json", "w", encoding="utf-8") as f:
                json.dump(entries, f)
    else:
        print(f"unknown action {action}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
