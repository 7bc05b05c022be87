"""moto_server, with the sandbox's fixes for moto differences that break evrelay's real code
paths (each is an emulator bug, so the fix lives here, never in src/):

- EventBridge's CloudWatch Logs target stores each event with a float `timestamp`
  (`unix_time_millis()` returns e.g. 1795510793010.68); FilterLogEvents/GetLogEvents then return
  it as a JSON float and the Rust SDK fails to deserialize the response ("invalid number"), so
  `evrelay logs` could not read the events log group. AWS timestamps are integers.

    python moto_launcher.py -H 127.0.0.1 -p PORT      (same arguments as moto_server)
"""

import sys

import moto.events.models as _events_models
from moto.server import main

_unix_time_millis = _events_models.unix_time_millis


def _int_millis(*args, **kwargs) -> int:
    return int(_unix_time_millis(*args, **kwargs))


_events_models.unix_time_millis = _int_millis

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
