"""Which IAM actions a run needs: with EVRELAY_EMULATOR_RECORD=FILE set, every request moto
serves appends its IAM action (`service:Operation`) to FILE, one per line, so a test can check
that `evrelay policy` grants everything the commands really call (tests/it/policy.rs).

Not an AWS rule but a probe; it lives here because every test's emulator is started through
this package, and with the variable unset it changes nothing."""

import os
import threading

from moto.core.responses import BaseResponse
from moto.core.routing import get_service_router

RECORD_ENV = "EVRELAY_EMULATOR_RECORD"

# --- moto's service name → the IAM service prefix ----------------------------------------------
# The prefix an IAM policy names is not always the API's endpoint or moto's module name: the
# Service Authorization Reference lists each service's prefix
# (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
# "Elastic Load Balancing V2 (service prefix: elasticloadbalancing)", "AWS Lambda (service
# prefix: lambda)", "Amazon EventBridge (service prefix: events)", "Amazon CloudWatch Logs
# (service prefix: logs)", "AWS Secrets Manager (service prefix: secretsmanager)", "AWS
# Certificate Manager (service prefix: acm)". The rest match moto's name.
IAM_PREFIX = {
    "awslambda": "lambda",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
}

_lock = threading.Lock()


def iam_prefix(moto_service: str) -> str:
    return IAM_PREFIX.get(moto_service, moto_service)


def operation(response: BaseResponse, request) -> str | None:
    """The API operation of a request, the way each protocol names it: Query's `Action=`
    (form body or URL), JSON's `X-Amz-Target: Prefix.Operation`, or a REST route (matched
    against the botocore model's URIs, as moto's own router does)."""
    action = response.querystring.get("Action")
    if isinstance(action, list):
        action = action[0] if action else None
    if action:
        return action
    target = request.headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    try:
        op, _ = get_service_router(response.boto3_service_name).match(request)
        return op.name
    except Exception:  # noqa: BLE001  (no route: nothing to record, moto answers as it will)
        return None


def _record(response: BaseResponse, request) -> None:
    path = os.environ.get(RECORD_ENV)
    if not path or not response.service_name:
        return
    op = operation(response, request)
    if not op:
        return
    with _lock, open(path, "a", encoding="utf-8") as out:
        out.write(f"{iam_prefix(response.service_name)}:{op}\n")


# The one place every service's request passes with its operation knowable: setup_class has
# parsed the URL, the form body and the headers (moto's dispatch calls it before the handler).
_setup_class = BaseResponse.setup_class


def _recording_setup_class(self, request, full_url=None, headers=None, use_raw_body=None):
    _setup_class(self, request, full_url, headers, use_raw_body)
    _record(self, request)


BaseResponse.setup_class = _recording_setup_class
