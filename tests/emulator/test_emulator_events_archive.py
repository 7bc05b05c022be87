"""An archive made by CloudFormation is listed with its name as physical id
(strict/events_archive.py)."""

import json

from test_emulator import client, endpoint  # noqa: F401  (endpoint: the fixture)

TEMPLATE = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "archived-bus"}},
        "Archive": {
            "Type": "AWS::Events::Archive",
            "DependsOn": "Bus",
            "Properties": {
                "SourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/archived-bus",
                "RetentionDays": 7,
            },
        },
    }
}


def test_an_archive_s_physical_id_is_its_name(endpoint):  # noqa: F811
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="archived", TemplateBody=json.dumps(TEMPLATE))
    resources = cfn.describe_stack_resources(StackName="archived")["StackResources"]
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources}
    assert physical["Archive"], resources
    archive = client(endpoint, "events").describe_archive(ArchiveName=physical["Archive"])
    assert archive["RetentionDays"] == 7
