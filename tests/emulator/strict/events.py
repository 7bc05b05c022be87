"""EventBridge: what moto's EventBridge does differently from AWS."""

import moto.events.models as _events_models
from moto.events.exceptions import ValidationException

# --- EventBridge → CloudWatch Logs: integer timestamps ---------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_OutputLogEvent.html
# (timestamp: Long). moto's EventBridge log target stores a float (unix_time_millis() returns
# e.g. 1795510793010.68) and the Rust SDK then fails to parse FilterLogEvents ("invalid number").
_unix_time_millis = _events_models.unix_time_millis


def _int_millis(*args, **kwargs) -> int:
    return int(_unix_time_millis(*args, **kwargs))


_events_models.unix_time_millis = _int_millis


# --- PutEvents: the entries of a request under 256 KB -------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html ("The total entry
# size must be less than 256KB": Time counts 14 bytes, Source, DetailType, Detail and each of
# Resources their UTF-8 bytes). AWS refuses the whole request with ValidationException "Total
# size of the entries in the request is over the limit." (as SDK users report it, e.g.
# awslabs/aws-service-catalog-puppet#563); moto accepts any size.
_MAX_ENTRIES_BYTES = 256 * 1024


def _entry_size(entry: dict) -> int:
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        size += len((entry.get(key) or "").encode("utf-8"))
    return size + sum(len(r.encode("utf-8")) for r in entry.get("Resources") or [] if r)


_put_events = _events_models.EventsBackend.put_events


def _strict_put_events(self, events):
    if sum(_entry_size(e) for e in events) >= _MAX_ENTRIES_BYTES:
        raise ValidationException("Total size of the entries in the request is over the limit.")
    return _put_events(self, events)


_events_models.EventsBackend.put_events = _strict_put_events
