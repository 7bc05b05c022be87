"""CloudWatch Logs: quotas moto must keep enforcing."""

import moto.logs.models as _logs_models

# --- CloudWatch Logs: 10 resource policies per region -----------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
# ("An account can have a maximum of 10 policies without resourceARN"; the quota cannot be
# raised: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
# moto enforces it already (LimitExceededException on the 11th name); fail loudly if a moto
# upgrade drops it, rather than let the tests that rely on it pass for the wrong reason.
assert _logs_models.MAX_RESOURCE_POLICIES_PER_REGION == 10, "moto's Logs policy quota changed"
