"""CloudWatch alarms on the strict emulator: created by stacks and change sets, evaluated from
their metric, notifying their SNS topics; over CBOR as aws-sdk-cloudwatch calls them."""

import json
from datetime import datetime, timedelta

from cloudwatch_client import alarm_spec, alarm_state, cbor, client, endpoint, now, refused, ts  # noqa: F401


def test_an_alarm_goes_to_alarm_when_its_metric_breaches(endpoint):
    assert cbor(endpoint, "PutMetricAlarm", alarm_spec("dlq-depth")).status == 200
    state, alarm = alarm_state(endpoint, "dlq-depth")
    assert state == "OK"  # notBreaching: no data is good
    assert alarm["Threshold"] == 0.0 and alarm["Period"] == 60
    assert isinstance(alarm["StateUpdatedTimestamp"], datetime)
    # One datapoint in each of the last two minutes: with M=1 of N=3 the verdict holds even if
    # a minute boundary passes between the put and the describe.
    t = now()
    cbor(endpoint, "PutMetricData", {"Namespace": "Evrelay/Alarms", "MetricData": [
        {"MetricName": "dlq-depth", "Value": 12.0, "Timestamp": ts(t - timedelta(seconds=60))},
        {"MetricName": "dlq-depth", "Value": 12.0, "Timestamp": ts(t)},
    ]})
    state, alarm = alarm_state(endpoint, "dlq-depth")
    assert state == "ALARM" and alarm["StateReason"].startswith("Threshold Crossed")
    in_alarm = cbor(endpoint, "DescribeAlarms", {"StateValue": "ALARM", "AlarmNamePrefix": "dlq-"})
    assert [a["AlarmName"] for a in in_alarm.body["MetricAlarms"]] == ["dlq-depth"]


def test_missing_data_and_set_alarm_state(endpoint):
    cbor(endpoint, "PutMetricAlarm", alarm_spec("quiet", TreatMissingData="missing"))
    assert alarm_state(endpoint, "quiet")[0] == "INSUFFICIENT_DATA"
    cbor(endpoint, "PutMetricAlarm", alarm_spec("held", TreatMissingData="ignore"))
    assert alarm_state(endpoint, "held")[0] == "INSUFFICIENT_DATA"  # how every new alarm starts
    set_ = cbor(endpoint, "SetAlarmState", {"AlarmName": "held", "StateValue": "ALARM", "StateReason": "drill"})
    assert set_.status == 200
    state, alarm = alarm_state(endpoint, "held")
    assert (state, alarm["StateReason"]) == ("ALARM", "drill")
    missing = cbor(endpoint, "SetAlarmState", {"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"})
    refused(missing, 404, "ResourceNotFound", "ResourceNotFound")
    bad = cbor(endpoint, "PutMetricAlarm", alarm_spec("bad", Period=45))
    refused(bad, 400, "InvalidParameterValue", "InvalidParameterValueException")
    assert cbor(endpoint, "DeleteAlarms", {"AlarmNames": ["quiet", "held"]}).status == 200
    assert cbor(endpoint, "DescribeAlarms", {"AlarmNames": ["quiet", "held"]}).body["MetricAlarms"] == []


TEMPLATE = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Email:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: email, Endpoint: ops@example.com}
  Inbox:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "${AWS::StackName}-alarm-inbox"}
  Tap:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
  DlqAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub "${AWS::StackName}-dlq-not-empty"
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !Sub "${AWS::StackName}-dlq"}]
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref Topic]
Outputs:
  Name: {Value: !Ref DlqAlarm}
  Arn: {Value: !GetAtt DlqAlarm.Arn}
"""


def test_a_stack_makes_its_alarm_and_the_dlq_metric_drives_it(endpoint):
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="relay", TemplateBody=TEMPLATE, Tags=[{"Key": "evrelay:managed", "Value": "true"}])
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="relay")["Stacks"][0]["Outputs"]}
    assert outputs["Name"] == "relay-dlq-not-empty"
    assert outputs["Arn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:relay-dlq-not-empty"
    state, alarm = alarm_state(endpoint, "relay-dlq-not-empty")
    assert alarm["AlarmActions"][0].startswith("arn:aws:sns:us-east-1:123456789012:")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "relay-dlq"}]
    tags = cbor(endpoint, "ListTagsForResource", {"ResourceARN": outputs["Arn"]}).body["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}.items() >= {
        "evrelay:managed": "true", "aws:cloudformation:stack-name": "relay",
        "aws:cloudformation:logical-id": "DlqAlarm",
    }.items()
    subscriptions = client(endpoint, "sns").list_subscriptions()["Subscriptions"]
    assert sorted(s["Protocol"] for s in subscriptions) == ["email", "sqs"]
    # The sandbox publishes the AWS/SQS metric with boto3 (JSON protocol), as AWS would emit it.
    client(endpoint, "cloudwatch").put_metric_data(Namespace="AWS/SQS", MetricData=[{
        "MetricName": "ApproximateNumberOfMessagesVisible", "Value": 12,
        "Dimensions": [{"Name": "QueueName", "Value": "relay-dlq"}]}])
    assert alarm_state(endpoint, "relay-dlq-not-empty")[0] == "ALARM"
    # The alarm's action: its topic's subscribers get CloudWatch's notification.
    sqs = client(endpoint, "sqs")
    inbox = sqs.get_queue_url(QueueName="relay-alarm-inbox")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=1).get("Messages") or []
    notification = json.loads(json.loads(got[0]["Body"])["Message"])
    assert (notification["AlarmName"], notification["NewStateValue"], notification["OldStateValue"]) == (
        "relay-dlq-not-empty", "ALARM", "OK")
    cfn.delete_stack(StackName="relay")
    assert cbor(endpoint, "DescribeAlarms", {"AlarmNamePrefix": "relay-"}).body["MetricAlarms"] == []


CONDITIONAL = """
Parameters:
  Alarms: {Type: String, Default: "false"}
Conditions:
  WithAlarms: !Equals [!Ref Alarms, "true"]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Condition: WithAlarms
    Properties:
      AlarmName: !Sub "${AWS::StackName}-relay-errors"
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
"""


def _change_set(cfn, name, kind, alarms):
    cfn.create_change_set(
        StackName="cs-relay", ChangeSetName=name, ChangeSetType=kind, TemplateBody=CONDITIONAL,
        Parameters=[{"ParameterKey": "Alarms", "ParameterValue": alarms}])
    cfn.execute_change_set(StackName="cs-relay", ChangeSetName=name)


def test_change_sets_add_and_remove_a_conditional_alarm(endpoint):
    cfn = client(endpoint, "cloudformation")
    _change_set(cfn, "create", "CREATE", "false")

    def names():
        found = cbor(endpoint, "DescribeAlarms", {"AlarmNamePrefix": "cs-relay-"}).body
        return [a["AlarmName"] for a in found["MetricAlarms"]]

    assert names() == []
    _change_set(cfn, "on", "UPDATE", "true")
    assert names() == ["cs-relay-relay-errors"]
    _change_set(cfn, "off", "UPDATE", "false")
    assert names() == []
