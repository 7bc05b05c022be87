"""EventBridge archives made by CloudFormation keep their physical id.

https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-archive.html
("Ref: When you pass the logical ID of this resource to the intrinsic Ref function, Ref returns
the archive name"): the archive's name is its physical id, which DescribeStackResources lists as
PhysicalResourceId. moto 5.2.5's Archive has no physical_resource_id, so the stack lists the
resource with an empty one and nothing can find the archive a stack made (templates/archive.yaml
leaves the name to CloudFormation, and `evrelay replay` reads it from the stack)."""

from moto.events.models import Archive

Archive.physical_resource_id = property(lambda self: self.name)


# --- A replay replays only its window -----------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html ("Only events
# that occurred between the EventStartTime and EventEndTime are replayed") and API_Replay.html
# (EventEndTime: "Any event with a creation time prior to the EventEndTime specified is
# replayed"): [start, end), by the event's time, which EventBridge keeps to the second (the
# start is compared at that precision too). moto 5.2.5 replays every archived event, whatever
# the window.
import math  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from moto.events.models import Replay  # noqa: E402

_replay_events = Replay.replay_events


def _seconds(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        text = str(value).replace("Z", "+00:00")
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()


def _windowed_replay_events(self, archive) -> None:
    start = math.floor(_seconds(self.event_start_time))
    end = _seconds(self.event_end_time)
    everything = archive.events
    archive.events = [e for e in everything if start <= _seconds(e.get("time", 0)) < end]
    try:
        _replay_events(self, archive)
    finally:
        archive.events = everything


Replay.replay_events = _windowed_replay_events
