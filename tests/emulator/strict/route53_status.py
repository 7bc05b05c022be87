"""Route 53 GetHealthCheckStatus that reports what the health check says (the failover drill
watches it). moto 5.2.5 answers every health check with one fixed "Success: HTTP Status Code:
200" observation, so an inverted or alarming check would look healthy forever.

https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html
("HealthCheckObservations: A list that contains one HealthCheckObservation element for each
Amazon Route 53 health checker that is reporting a status about the health check endpoint") and
https://docs.aws.amazon.com/Route53/latest/APIReference/API_StatusReport.html (Status: "A
description of the status of the health check endpoint as reported by one of the Amazon Route 53
health checkers"; CheckedTime). The checkers report what they observe of the endpoint (for a
CLOUDWATCH_METRIC check: the alarm, with InsufficientDataHealthStatus), before inversion:
Inverted is applied to the health check's status, not to what a checker saw
(API_HealthCheckConfig.html, Inverted: "Specify whether you want Amazon Route 53 to invert the
status of a health check"), so a reader applies it on top, as `status` and `failover` do. The
observed status is strict/route53.py's `health_check_healthy` (which routes PutEvents through an
endpoint) with the inversion taken back out, so a report and a routing decision never disagree.
AWS's checkers report from several Regions; one observation per status is what a reader may rely
on (the first word, Success or Failure, not the rest of the text)."""

import moto.route53.responses as _r53_responses
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from strict.common import truthy as _truthy
from strict.route53 import health_check_healthy


def _strict_get_health_check_status(self):
    health_check_id = self._get_param("HealthCheckId")
    check = self.backend.get_health_check(health_check_id)  # NoSuchHealthCheck, as moto raises it
    healthy = health_check_healthy(self.current_account, health_check_id) != _truthy(check.inverted)
    status = (
        "Success: the alarm reads healthy"
        if healthy
        else "Failure: the alarm reads unhealthy"
    )
    return ActionResult({
        "HealthCheckObservations": [{
            "Region": "us-east-1",
            "IPAddress": "127.0.13.37",
            "StatusReport": {"Status": status, "CheckedTime": utcnow()},
        }]
    })


_r53_responses.Route53.get_health_check_status = _strict_get_health_check_status
