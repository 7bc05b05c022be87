"""EventBridge replays as AWS runs them: only the events of the replay's window. (An archive's
physical id, which `evrelay replay` finds the archive by, is strict/events_archive_cfn.py's.)"""

import math
from datetime import datetime, timezone

from moto.events.models import Replay

# --- A replay replays only its window -----------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html ("Only events
# that occurred between the EventStartTime and EventEndTime are replayed") and API_Replay.html
# (EventEndTime: "Any event with a creation time prior to the EventEndTime specified is
# replayed"): [start, end), by the event's time, which EventBridge keeps to the second (the
# start is compared at that precision too). moto 5.2.5 replays every archived event, whatever
# the window.

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
