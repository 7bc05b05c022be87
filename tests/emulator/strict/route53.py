"""Route 53: health checks that follow their CloudWatch alarm, as an EventBridge global endpoint
reads them (strict/events_endpoints.py routes PutEvents by `health_check_healthy`)."""

import moto.route53.models as _r53_models
import moto.route53.responses as _r53_responses
from moto.cloudwatch.models import cloudwatch_backends

from strict.common import truthy as _truthy

# --- CLOUDWATCH_METRIC health checks keep their alarm -----------------------------------------
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
# (AlarmIdentifier: "identifies the CloudWatch alarm that you want Amazon Route 53 health
# checkers to use"; InsufficientDataHealthStatus: Healthy | Unhealthy | LastKnownStatus) and
# API_UpdateHealthCheck.html (both can be updated). moto's CreateHealthCheck and
# UpdateHealthCheck drop both, so GetHealthCheck cannot show them and nothing can follow the
# alarm.
_create_health_check = _r53_responses.Route53.create_health_check
_update_health_check = _r53_responses.Route53.update_health_check


def _alarm_settings(health_check, source: dict) -> None:
    alarm = source.get("AlarmIdentifier")
    if alarm:
        health_check.alarm_identifier = {"Region": alarm.get("Region"), "Name": alarm.get("Name")}
    insufficient = source.get("InsufficientDataHealthStatus")
    if insufficient:
        health_check.insufficient_data_health_status = insufficient


def _strict_create_health_check(self):
    result = _create_health_check(self)
    config = self._get_param("HealthCheckConfig") or {}
    _alarm_settings(result.result["HealthCheck"], config)
    return result


def _strict_update_health_check(self):
    result = _update_health_check(self)
    source = {
        "AlarmIdentifier": self._get_param("AlarmIdentifier"),
        "InsufficientDataHealthStatus": self._get_param("InsufficientDataHealthStatus"),
    }
    _alarm_settings(result.result["HealthCheck"], source)
    return result


_r53_responses.Route53.create_health_check = _strict_create_health_check
_r53_responses.Route53.update_health_check = _strict_update_health_check

_health_check_config = _r53_models.HealthCheck.health_check_config.fget


def _config_with_alarm(self) -> dict:
    config = _health_check_config(self)
    if getattr(self, "alarm_identifier", None):
        config["AlarmIdentifier"] = self.alarm_identifier
    if getattr(self, "insufficient_data_health_status", None):
        config["InsufficientDataHealthStatus"] = self.insufficient_data_health_status
    return config


_r53_models.HealthCheck.health_check_config = property(_config_with_alarm)


# --- CloudFormation: AWS::Route53::HealthCheck keeps the same, and has GetAtt HealthCheckId ------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-route53-healthcheck.html
# (Ref: the health check's ID; Fn::GetAtt HealthCheckId) and the health check template of
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-ge-cfn.html (CLOUDWATCH_METRIC with
# AlarmIdentifier and InsufficientDataHealthStatus). moto's CloudFormation keeps neither, nor
# Inverted and Disabled, and answers no GetAtt.
_create_health_check_cfn = _r53_models.HealthCheck.create_from_cloudformation_json.__func__


def _strict_create_health_check_cfn(cls, resource_name, cloudformation_json, *args, **kwargs):
    check = _create_health_check_cfn(cls, resource_name, cloudformation_json, *args, **kwargs)
    config = cloudformation_json["Properties"]["HealthCheckConfig"]
    _alarm_settings(check, config)
    check.inverted = _truthy(config.get("Inverted", False))
    check.disabled = _truthy(config.get("Disabled", False))
    return check


def _health_check_attribute(self, attribute_name: str):
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    if attribute_name == "HealthCheckId":
        return self.id
    raise UnformattedGetAttTemplateException()


_r53_models.HealthCheck.create_from_cloudformation_json = classmethod(
    _strict_create_health_check_cfn
)
_r53_models.HealthCheck.get_cfn_attribute = _health_check_attribute


# --- A health check's status ------------------------------------------------------------------
# API_HealthCheckConfig.html, Type CLOUDWATCH_METRIC: "If the state of the alarm is OK, the
# health check is considered healthy. If the state is ALARM, the health check is considered
# unhealthy. If CloudWatch doesn't have sufficient data …, the health check status depends on
# the setting for InsufficientDataHealthStatus"; LastKnownStatus: "For new health checks that have
# no last known status, the default status for the health check is healthy". Disabled: "Route 53
# considers the status of the health check to always be healthy … If you want to stop routing
# traffic to a resource, change the value of Inverted". Inverted: "invert the status of a health
# check". https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html
# (the failover drill EventBridge documents). CALCULATED: healthy when at least HealthThreshold
# children are. An unset InsufficientDataHealthStatus is taken as LastKnownStatus (the API names
# no default). Endpoint checks (HTTP, TCP, …) have nothing to probe here: healthy, as moto's
# GetHealthCheckStatus reports them.
def _alarm_states(account_id: str, alarm: dict) -> list:
    """The alarm's states, oldest first (moto's history keeps each state it left), or [] when the
    alarm does not exist (CloudWatch then has no data for it)."""
    backend = cloudwatch_backends[account_id][alarm.get("Region") or "us-east-1"]
    found = backend.alarms.get(alarm.get("Name"))
    if found is None:
        return []
    past = [entry[3] for entry in found.history if entry and entry[0] == "StateUpdate"]
    return past + [found.state_value]


def alarm_health(states: list, insufficient: str | None) -> bool:
    """Healthy from a CLOUDWATCH_METRIC check's alarm states (oldest first), before inversion."""
    current = states[-1] if states else "INSUFFICIENT_DATA"
    if current in ("OK", "ALARM"):
        return current == "OK"
    if insufficient == "Healthy":
        return True
    if insufficient == "Unhealthy":
        return False
    known = [s for s in states if s in ("OK", "ALARM")]
    return known[-1] == "OK" if known else True


def health_check_healthy(account_id: str, health_check_id: str, _depth: int = 0) -> bool:
    backend = _r53_models.route53_backends[account_id]["aws"]
    check = backend.get_health_check(health_check_id)
    if _truthy(check.disabled):
        healthy = True
    elif check.type_ == "CLOUDWATCH_METRIC":
        alarm = getattr(check, "alarm_identifier", None) or {}
        states = _alarm_states(account_id, alarm) if alarm else []
        healthy = alarm_health(states, getattr(check, "insufficient_data_health_status", None))
    elif check.type_ == "CALCULATED" and _depth < 3:
        children = [c for c in check.children or [] if c in backend.health_checks]
        up = sum(health_check_healthy(account_id, c, _depth + 1) for c in children)
        healthy = up >= int(check.health_threshold or 0)
    else:
        healthy = True
    return healthy != _truthy(check.inverted)


# --- Deleting the stack deletes its health check ------------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-delete-stack.html
# (deleting a stack deletes all its resources unless a DeletionPolicy retains them) and
# aws-resource-route53-healthcheck.html (DeleteHealthCheck is the resource's delete handler).
# moto's HealthCheck has no CloudFormation delete: the check outlives its stack.
def _delete_health_check_cfn(self, account_id: str, region_name: str) -> None:
    _r53_models.route53_backends[account_id]["aws"].delete_health_check(self.id)


_r53_models.HealthCheck.delete = _delete_health_check_cfn
