"""CloudWatch alarms as AWS keeps them: made by CloudFormation, created INSUFFICIENT_DATA, and
(with EVRELAY_EMULATOR_EVALUATE_ALARMS=1) evaluated against their metric's datapoints. moto
skips AWS::CloudWatch::Alarm and AWS::SNS::Subscription in CloudFormation, starts every alarm
OK and never evaluates one."""

import json
import os
from datetime import datetime, timedelta

import moto.cloudformation.parsing as _cfn_parsing
import moto.cloudwatch.models as _cw_models
import moto.cloudwatch.responses as _cw_responses
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.sns.models import sns_backends

from strict.cloudwatch_data import CloudWatchError, matches, statistic

EVALUATE_ENV = "EVRELAY_EMULATOR_EVALUATE_ALARMS"


def _int(value):
    return None if value is None else int(value)


# --- A new alarm starts INSUFFICIENT_DATA -----------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
# ("When this operation creates an alarm, the alarm state is immediately set to
# INSUFFICIENT_DATA. The alarm is then evaluated and its state is set appropriately"; "When you
# update an existing alarm, its state is left unchanged"). moto starts it OK. The same page,
# Period: "Valid values are 10, 20, 30, and any multiple of 60"; "Period multiplied by
# EvaluationPeriods can't be more than 604,800 seconds. For alarms with a period of less than
# one hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400
# seconds)"; DatapointsToAlarm is the M of an "M out of N" alarm (at most EvaluationPeriods).
# moto checks none.
_put_metric_alarm = _cw_models.CloudWatchBackend.put_metric_alarm


def _strict_put_metric_alarm(self, name, *args, **kwargs):
    period = _int(kwargs.get("period"))
    evaluations = _int(kwargs.get("evaluation_periods"))
    if period is not None and not (period in (10, 20, 30) or period % 60 == 0) or period == 0:
        raise CloudWatchError(
            "InvalidParameterValue", "The parameter Period must be 10, 20, 30 or a multiple of 60."
        )
    bound = 86_400 if period and period < 3600 else 604_800
    if period and evaluations and period * evaluations > bound:
        raise CloudWatchError(
            "InvalidParameterCombination",
            f"The product of EvaluationPeriods and Period must not exceed {bound} seconds.",
        )
    m = _int(kwargs.get("datapoints_to_alarm"))
    if m is not None and evaluations is not None and not 1 <= m <= evaluations:
        raise CloudWatchError(
            "InvalidParameterCombination",
            "DatapointsToAlarm must be between 1 and EvaluationPeriods.",
        )
    existing = self.alarms.get(name)
    alarm = _put_metric_alarm(self, name, *args, **kwargs)
    if existing is None:
        alarm.state_value = "INSUFFICIENT_DATA"
    else:
        alarm.state_value, alarm.state_reason = existing.state_value, existing.state_reason
        alarm.state_reason_data = existing.state_reason_data
        alarm.state_updated_timestamp = existing.state_updated_timestamp
    return alarm


_cw_models.CloudWatchBackend.put_metric_alarm = _strict_put_metric_alarm


# --- AWS::CloudWatch::Alarm in CloudFormation ---------------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html
# (the properties are PutMetricAlarm's; "Ref returns the alarm name"; Fn::GetAtt Arn "The ARN of
# the CloudWatch alarm"; AlarmName: "If you don't specify a name, AWS CloudFormation generates a
# unique physical ID"; changing AlarmName requires replacement). Tags: per
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html
# CloudFormation adds aws:cloudformation:logical-id, stack-id and stack-name, and stack-level
# tags propagate to the resources that take tags (alarms do); moto tags only EC2 resources.
def _stack_tags(account_id, region_name, kwargs) -> list:
    from moto.cloudformation.models import cloudformation_backends

    stack = cloudformation_backends[account_id][region_name].stacks.get(kwargs.get("StackId"))
    if stack is None:
        return []
    tags = dict(stack.resource_map.tags)
    tags["aws:cloudformation:logical-id"] = kwargs.get("LogicalId")
    return [{"Key": k, "Value": v} for k, v in tags.items() if v is not None]


class CloudFormationAlarm(CloudFormationModel):
    def __init__(self, alarm):
        self.alarm = alarm

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @property
    def physical_resource_id(self) -> str:
        return self.alarm.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.alarm.alarm_arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        p = cloudformation_json.get("Properties") or {}
        backend = _cw_models.cloudwatch_backends[account_id][region_name]
        queries = None
        if p.get("Metrics"):
            queries = [
                _cw_models.MetricDataQuery(
                    query_id=m.get("Id"), label=m.get("Label"), period=m.get("Period"),
                    return_data=m.get("ReturnData"), expression=m.get("Expression"),
                    metric_stat=None,
                )
                for m in p["Metrics"]
            ]
        alarm = backend.put_metric_alarm(
            name=resource_name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            metric_data_queries=queries,
            comparison_operator=p.get("ComparisonOperator"),
            evaluation_periods=_int(p.get("EvaluationPeriods")),
            datapoints_to_alarm=_int(p.get("DatapointsToAlarm")),
            period=_int(p.get("Period")),
            threshold=float(p["Threshold"]) if p.get("Threshold") is not None else None,
            statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions") or [],
            alarm_actions=p.get("AlarmActions") or [],
            ok_actions=p.get("OKActions") or [],
            insufficient_data_actions=p.get("InsufficientDataActions") or [],
            unit=p.get("Unit"),
            actions_enabled=str(p.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=_stack_tags(account_id, region_name, kwargs) + list(p.get("Tags") or []) or None,
        )
        return cls(alarm)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        backend = _cw_models.cloudwatch_backends[account_id][region_name]
        tags = backend.tagger.list_tags_for_resource(original_resource.alarm.alarm_arn)["Tags"]
        if original_resource.alarm.name != new_resource_name:
            original_resource.delete(account_id, region_name)
        made = cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
        backend.tagger.tag_resource(made.alarm.alarm_arn, tags)
        return made

    def delete(self, account_id, region_name):
        _cw_models.cloudwatch_backends[account_id][region_name].delete_alarms([self.alarm.name])


# --- AWS::SNS::Subscription in CloudFormation ---------------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html
# (TopicArn, Protocol, Endpoint; "Ref returns the ARN of the subscription"). An email
# subscription waits for its confirmation on AWS (SubscriptionArn "PendingConfirmation" until
# the recipient confirms, https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html);
# moto's subscribe keeps it unconfirmed too.
class CloudFormationSubscription(CloudFormationModel):
    def __init__(self, subscription):
        self.subscription = subscription

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::Subscription"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @property
    def physical_resource_id(self) -> str:
        return self.subscription.arn

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        p = cloudformation_json.get("Properties") or {}
        backend = sns_backends[account_id][region_name]
        return cls(backend.subscribe(p["TopicArn"], p["Endpoint"], p["Protocol"]))

    def delete(self, account_id, region_name):
        sns_backends[account_id][region_name].unsubscribe(self.subscription.arn)


# moto builds its type -> model map once (lru_cache) from CloudFormationModel's subclasses.
_cfn_parsing.get_model_map.cache_clear()
_cfn_parsing.get_name_type_map.cache_clear()


# --- Alarm evaluation ------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html: an alarm
# looks at the most recent EvaluationPeriods periods of its statistic and goes to ALARM when
# DatapointsToAlarm of them (default: all) breach the threshold (the "M out of N" rule), OK
# otherwise. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html:
# missing periods count as breaching (breaching), as good (notBreaching), keep the state
# (ignore), or do not count — and "If all data points in the alarm evaluation range are
# missing, the alarm transitions to INSUFFICIENT_DATA" (missing, the default).
# AWS evaluates every minute; here an alarm is evaluated when a datapoint arrives or an alarm is
# described, and only with EVRELAY_EMULATOR_EVALUATE_ALARMS=1 (a test that sets alarm states
# by SetAlarmState keeps them). Single-metric alarms only: metric-math alarms keep their state.
_COMPARE = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def evaluate(alarm, data, now: datetime):
    """(state, reason) for an alarm over the stored datapoints, or None to keep its state."""
    if alarm.rule is not None or alarm.metric_data_queries or not alarm.metric_name:
        return None
    compare = _COMPARE.get(alarm.comparison_operator)
    period, n = int(alarm.period), int(alarm.evaluation_periods)
    if compare is None or not period or not n:
        return None
    m = int(alarm.datapoints_to_alarm or n)
    stat = alarm.extended_statistic or alarm.statistic
    metric = {
        "Namespace": alarm.namespace,
        "MetricName": alarm.metric_name,
        "Dimensions": [{"Name": d.name, "Value": d.value} for d in alarm.dimensions],
    }
    epoch = datetime(1970, 1, 1)
    newest = int((now - epoch).total_seconds()) // period * period
    starts = [epoch + timedelta(seconds=newest - k * period) for k in range(n)]
    values = []
    for begin in starts:
        chunk = [
            d for d in data
            if begin <= d.timestamp < begin + timedelta(seconds=period) and matches(d, metric, alarm.unit)
        ]
        values.append(statistic(stat, chunk) if chunk else None)
    present = [v for v in values if v is not None]
    treat = alarm.treat_missing_data or "missing"
    if not present and treat in ("missing", "ignore"):
        return None if treat == "ignore" else ("INSUFFICIENT_DATA", "Insufficient Data: no datapoints were received.")
    breaching = sum(1 for v in present if compare(v, float(alarm.threshold)))
    if treat == "breaching":
        breaching += values.count(None)
    state = "ALARM" if breaching >= m else "OK"
    word = "" if state == "ALARM" else "not "
    reason = (
        f"Threshold Crossed: {breaching} out of the last {n} datapoints {present[:5]} were "
        f"{word}{alarm.comparison_operator} the threshold ({float(alarm.threshold)})."
    )
    return state, reason


def evaluate_all(backend) -> None:
    if os.environ.get(EVALUATE_ENV) != "1":
        return
    now, data = utcnow(), backend.get_all_metrics()
    for alarm in list(backend.alarms.values()):
        verdict = evaluate(alarm, data, now)
        if verdict and verdict[0] != alarm.state_value:
            state, reason = verdict
            alarm.update_state(reason, json.dumps({"version": "1.0", "evaluatedDatapoints": []}), state)


_put_metric_data = _cw_models.CloudWatchBackend.put_metric_data


def _evaluating_put_metric_data(self, namespace, metric_data):
    _put_metric_data(self, namespace, metric_data)
    evaluate_all(self)


_cw_models.CloudWatchBackend.put_metric_data = _evaluating_put_metric_data
_describe_alarms_response = _cw_responses.CloudWatchResponse.describe_alarms


def _evaluating_describe_alarms(self):
    evaluate_all(self.cloudwatch_backend)
    return _describe_alarms_response(self)


_cw_responses.CloudWatchResponse.describe_alarms = _evaluating_describe_alarms


# --- Alarm actions: a state change notifies the state's SNS topics ------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (an
# alarm "invokes actions only when the alarm changes state"; the SNS action publishes a
# notification) and https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
# ("When the updated state differs from the previous value, the action configured for the
# appropriate state is invoked"). The message is the JSON document CloudWatch publishes
# (AlarmName, AlarmDescription, AWSAccountId, NewStateValue, OldStateValue, NewStateReason,
# StateChangeTime, Region, AlarmArn, Trigger). moto changes the state and notifies no one.
_update_state = _cw_models.Alarm.update_state


def _notify(alarm, old: str) -> None:
    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }.get(alarm.state_value) or []
    account = alarm.alarm_arn.split(":")[4]
    message = json.dumps({
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account,
        "NewStateValue": alarm.state_value,
        "OldStateValue": old,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated_timestamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
        "Region": alarm.region_name,
        "AlarmArn": alarm.alarm_arn,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": (alarm.statistic or "").upper() or None,
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
        },
    })
    subject = f'{alarm.state_value}: "{alarm.name}" in {alarm.region_name}'
    for arn in actions:
        if arn.startswith("arn:aws:sns:"):
            try:
                sns_backends[account][arn.split(":")[3]].get_topic(arn).publish(message, subject=subject)
            except Exception:  # noqa: BLE001 - a gone topic fails the action, not the state change
                pass


def _notifying_update_state(self, reason, reason_data, state_value):
    old = self.state_value
    _update_state(self, reason, reason_data, state_value)
    if state_value != old and self.actions_enabled:
        _notify(self, old)


_cw_models.Alarm.update_state = _notifying_update_state
