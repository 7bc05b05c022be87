"""CloudFormation conditions on update, beyond test_emulator.py's flips: a resource whose condition
turns false in the same update that changes a parameter it uses is deleted too (a relay switched
from buffered to direct delivery loses its buffer and its event source mapping, as on AWS)."""

import json

from test_emulator import client, endpoint  # noqa: F401 - `endpoint` is a fixture


def test_a_resource_whose_condition_turns_false_is_deleted_though_its_parameters_changed_too(endpoint):  # noqa: F811
    cfn, sqs = client(endpoint, "cloudformation"), client(endpoint, "sqs")
    template = json.dumps({
        "Parameters": {"Mode": {"Type": "String", "Default": "off"}, "Delay": {"Type": "Number", "Default": 1}},
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Mode"}, "on"]}},
        "Resources": {
            "Always": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "both-always"}},
            "Only": {"Type": "AWS::SQS::Queue", "Condition": "On",
                     "Properties": {"QueueName": "both-only", "DelaySeconds": {"Ref": "Delay"}}},
        },
    })

    def change(name, kind, **params):
        cfn.create_change_set(StackName="both", ChangeSetName=name, ChangeSetType=kind, TemplateBody=template,
                              Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])
        listed = cfn.describe_change_set(StackName="both", ChangeSetName=name)["Changes"]
        cfn.execute_change_set(StackName="both", ChangeSetName=name)
        queues = sqs.list_queues(QueueNamePrefix="both-").get("QueueUrls", [])
        return ({(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in listed},
                sorted(u.rsplit("/", 1)[-1] for u in queues))

    assert change("c1", "CREATE", Mode="on", Delay="1")[1] == ["both-always", "both-only"]
    assert change("c2", "UPDATE", Mode="off", Delay="2") == ({("Remove", "Only")}, ["both-always"])


def test_an_update_that_flips_a_condition_re_evaluates_fn_if(endpoint):  # noqa: F811
    cfn, events = client(endpoint, "cloudformation"), client(endpoint, "events")
    template = json.dumps({
        "Parameters": {"Mode": {"Type": "String", "Default": "off"}},
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Mode"}, "on"]}},
        "Resources": {
            "Direct": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "if-direct"}},
            "Buffer": {"Type": "AWS::SQS::Queue", "Condition": "On", "Properties": {"QueueName": "if-buffer"}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {
                "Name": "if-rule", "EventPattern": {"source": ["test"]},
                "Targets": [{"Id": {"Fn::If": ["On", "buffer", "direct"]},
                             "Arn": {"Fn::If": ["On", {"Fn::GetAtt": ["Buffer", "Arn"]},
                                                {"Fn::GetAtt": ["Direct", "Arn"]}]}}]}},
        },
    })

    def deploy(name, kind, mode):
        cfn.create_change_set(StackName="ifs", ChangeSetName=name, ChangeSetType=kind, TemplateBody=template,
                              Parameters=[{"ParameterKey": "Mode", "ParameterValue": mode}])
        cfn.execute_change_set(StackName="ifs", ChangeSetName=name)
        return [(t["Id"], t["Arn"].rsplit(":", 1)[-1]) for t in events.list_targets_by_rule(Rule="if-rule")["Targets"]]

    # Off, on (the buffer is created before the rule that now targets it), off again (the rule
    # retargeted, the buffer deleted). Not on again: SQS refuses a queue name for 60 s after
    # its deletion (strict/sqs.py).
    assert deploy("c1", "CREATE", "off") == [("direct", "if-direct")]
    assert deploy("c2", "UPDATE", "on") == [("buffer", "if-buffer")]
    assert deploy("c3", "UPDATE", "off") == [("direct", "if-direct")]
