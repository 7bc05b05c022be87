"""EventBridge: what moto's EventBridge does differently from AWS."""

import moto.events.models as _events_models

# --- EventBridge → CloudWatch Logs: integer timestamps ---------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_OutputLogEvent.html
# (timestamp: Long). moto's EventBridge log target stores a float (unix_time_millis() returns
# e.g. 1795510793010.68) and the Rust SDK then fails to parse FilterLogEvents ("invalid number").
_unix_time_millis = _events_models.unix_time_millis


def _int_millis(*args, **kwargs) -> int:
    return int(_unix_time_millis(*args, **kwargs))


_events_models.unix_time_millis = _int_millis
