"""Route 53 health checks made by CloudFormation go with their stack (strict/route53.py)."""

import json

from test_emulator_endpoints import client, url  # noqa: F401  (url: the module's emulator)

TEMPLATE = {
    "Resources": {
        "Check": {
            "Type": "AWS::Route53::HealthCheck",
            "Properties": {"HealthCheckConfig": {
                "Type": "CLOUDWATCH_METRIC", "InsufficientDataHealthStatus": "Healthy",
                "AlarmIdentifier": {"Region": "us-east-1", "Name": "gone-with-the-stack"}}},
        },
    },
    "Outputs": {"Id": {"Value": {"Ref": "Check"}}},
}


def test_deleting_the_stack_deletes_its_health_check(url):  # noqa: F811
    cfn, r53 = client(url, "cloudformation"), client(url, "route53")
    cfn.create_stack(StackName="checked", TemplateBody=json.dumps(TEMPLATE))
    (out,) = cfn.describe_stacks(StackName="checked")["Stacks"][0]["Outputs"]
    assert out["OutputValue"] in [c["Id"] for c in r53.list_health_checks()["HealthChecks"]]

    cfn.delete_stack(StackName="checked")
    assert out["OutputValue"] not in [c["Id"] for c in r53.list_health_checks()["HealthChecks"]]
