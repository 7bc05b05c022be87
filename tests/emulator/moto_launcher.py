"""The strict emulator: moto_server with AWS's rules that moto does not enforce, so a test fails
the way a real account would. The rules live in strict/, one module per service, each citing the
AWS page it follows; a workaround for moto never goes into src/ or the template, it goes there
(or into a test fixture).

    python tests/emulator/moto_launcher.py -H 127.0.0.1 -p PORT    (moto_server's arguments)

Both the Rust integration tests (tests/it/harness.rs) and the Python sandbox
(tests/sandbox/moto_proc.py) start moto through this file.

Environment:
  EVRELAY_EMULATOR_QUEUE_DELETED_WINDOW  seconds a deleted queue's name stays blocked (default
                                         60, as on AWS; tests set a short window).
  EVRELAY_EMULATOR_NOECHO_IN_CLEAR=1     DescribeStacks returns NoEcho parameters in clear (moto's
                                         behaviour; only the sandbox sets it, see
                                         strict/cloudformation.py).
  EVRELAY_EMULATOR_EVALUATE_ALARMS=1     CloudWatch alarms follow their metric's datapoints (M out
                                         of N, TreatMissingData), evaluated when a datapoint
                                         arrives or alarms are described (strict/cloudwatch_alarms.py);
                                         unset, an alarm keeps the state it was created or set in.

CloudWatch: aws-sdk-cloudwatch's Smithy RPC v2 CBOR requests are served by strict/cloudwatch.py;
a CBOR PutMetricData to an AWS/ namespace (AWS refuses it) passes only with the request header
x-evrelay-emulator-plays-aws: true, for a test that seeds AWS's own metrics.
"""

import os
import sys

# strict/ sits beside this file; the launcher runs as a script, so its folder is on sys.path
# already, but a caller that imports it from elsewhere needs it too.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import strict  # noqa: E402,F401  (the rules apply on import)
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
