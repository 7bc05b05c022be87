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


# --- A replay takes time, and only a running one can be cancelled -------------------------------
# API_StartReplay.html: "A replay processes events to replay based on the time in the event, and
# replays them using 1 minute intervals … You can use DescribeReplay to determine the progress of
# a replay" (State STARTING | RUNNING | CANCELLING | COMPLETED | CANCELLED | FAILED,
# API_DescribeReplay.html). moto replays at once, inside StartReplay. With
# EVRELAY_EMULATOR_REPLAY_SECONDS set, a replay is RUNNING for that long, then replays its window
# and completes, unless cancelled meanwhile. API_CancelReplay.html: "Cancels the specified replay"
# (IllegalStatusException: "An error occurred because a replay can be canceled only when the state
# is Running or Starting"); moto also cancels a COMPLETED one.
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from moto.core.utils import unix_time  # noqa: E402
from moto.events.exceptions import IllegalStatusException  # noqa: E402
from moto.events.models import EventsBackend, ReplayState  # noqa: E402

_REPLAY_SECONDS = float(os.environ.get("EVRELAY_EMULATOR_REPLAY_SECONDS") or 0)


def _running_replay_events(self, archive) -> None:
    self.state = ReplayState.RUNNING

    def finish():
        time.sleep(_REPLAY_SECONDS)
        if self.state == ReplayState.RUNNING:
            _windowed_replay_events(self, archive)
        elif self.state == ReplayState.CANCELLING:
            self.state = ReplayState.CANCELLED
            self.end_time = unix_time()

    threading.Thread(target=finish, daemon=True).start()


if _REPLAY_SECONDS > 0:
    Replay.replay_events = _running_replay_events


def _strict_cancel_replay(self, name: str) -> dict:
    replay = self._get_replay(name)
    if replay.state not in (ReplayState.STARTING, ReplayState.RUNNING):
        raise IllegalStatusException(
            "An error occurred because a replay can be canceled only when the state is Running "
            "or Starting."
        )
    # CANCELLING until the running replay notices (at once when nothing runs it).
    replay.state = ReplayState.CANCELLING if _REPLAY_SECONDS > 0 else ReplayState.CANCELLED
    return {"ReplayArn": replay.arn, "State": ReplayState.CANCELLING.value}


EventsBackend.cancel_replay = _strict_cancel_replay
