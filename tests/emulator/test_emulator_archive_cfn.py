"""AWS::Events::Archive in CloudFormation on the strict emulator (strict/events_archive_cfn.py):
the archive a stack makes is found from the stack, by its physical id and by Ref."""

import boto3
import pytest
from botocore.config import Config

from launch import emulator

TEMPLATE = """
Resources:
  Archive:
    Type: AWS::Events::Archive
    Properties:
      SourceArn: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/orders-bus
      RetentionDays: 7
Outputs:
  ArchiveName:
    Value: !Ref Archive
"""


@pytest.fixture(scope="module")
def url():
    with emulator() as url:
        yield url


def client(url, service):
    return boto3.client(
        service, endpoint_url=url, region_name="us-west-2", aws_access_key_id="testing",
        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}),
    )


def test_a_stack_s_archive_is_named_by_its_physical_id_and_ref(url):
    events, cfn = client(url, "events"), client(url, "cloudformation")
    events.create_event_bus(Name="orders-bus")
    cfn.create_stack(StackName="orders-archive", TemplateBody=TEMPLATE)
    names = [a["ArchiveName"] for a in events.list_archives()["Archives"]]
    assert len(names) == 1 and names[0].startswith("orders-archive-Archive-")
    resources = cfn.describe_stack_resources(StackName="orders-archive")["StackResources"]
    assert [r["PhysicalResourceId"] for r in resources] == names
    outputs = cfn.describe_stacks(StackName="orders-archive")["Stacks"][0]["Outputs"]
    assert outputs == [{"OutputKey": "ArchiveName", "OutputValue": names[0]}]
    assert events.describe_archive(ArchiveName=names[0])["RetentionDays"] == 7
