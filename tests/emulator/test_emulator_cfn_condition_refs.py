"""CloudFormation conditions built from other conditions with YAML's `!Condition` short form, as
AWS evaluates them: a resource under `!Or [!Condition A, !Condition B]` is made when A holds."""

from cloudwatch_client import client, endpoint  # noqa: F401

TEMPLATE = """
Parameters:
  Email: {Type: String, Default: ""}
  TopicArn: {Type: String, Default: ""}
Conditions:
  OwnTopic: !Not [!Equals [!Ref Email, ""]]
  TheirTopic: !Not [!Equals [!Ref TopicArn, ""]]
  Either: !Or [!Condition OwnTopic, !Condition TheirTopic]
  Neither: !Not [!Condition Either]
  Both: !And [!Condition OwnTopic, !Condition TheirTopic]
Resources:
  WhenEither:
    Type: AWS::SQS::Queue
    Condition: Either
    Properties: {QueueName: !Sub "${AWS::StackName}-either"}
  WhenNeither:
    Type: AWS::SQS::Queue
    Condition: Neither
    Properties: {QueueName: !Sub "${AWS::StackName}-neither"}
  WhenBoth:
    Type: AWS::SQS::Queue
    Condition: Both
    Properties: {QueueName: !Sub "${AWS::StackName}-both"}
"""


def made(endpoint, stack, **parameters):
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(
        StackName=stack,
        TemplateBody=TEMPLATE,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    urls = client(endpoint, "sqs").list_queues(QueueNamePrefix=f"{stack}-").get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1].removeprefix(f"{stack}-") for url in urls)


def test_a_condition_made_of_other_conditions_holds_when_they_do(endpoint):
    assert made(endpoint, "c-email", Email="ops@example.com") == ["either"]
    assert made(endpoint, "c-none") == ["neither"]
    assert made(
        endpoint, "c-both", Email="ops@example.com", TopicArn="arn:aws:sns:us-east-1:123456789012:ops"
    ) == ["both", "either"]


def test_a_change_set_adds_what_a_condition_made_of_others_turns_on(endpoint):
    cfn = client(endpoint, "cloudformation")
    assert made(endpoint, "c-later") == ["neither"]
    cfn.create_change_set(
        StackName="c-later", ChangeSetName="alarms", TemplateBody=TEMPLATE,
        Parameters=[{"ParameterKey": "Email", "ParameterValue": "ops@example.com"}],
    )
    changes = cfn.describe_change_set(StackName="c-later", ChangeSetName="alarms")["Changes"]
    assert sorted(
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes
    ) == [("Add", "WhenEither"), ("Remove", "WhenNeither")]
