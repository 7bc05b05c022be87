"""The strict emulator's rules, one module per AWS service. Importing this package applies them
all to moto (each module patches moto's models or responses on import); every rule cites the AWS
page it follows. A new rule goes into its service's module, with its citation and a test in
tests/emulator/test_emulator.py."""

from strict import recording  # noqa: F401  (EVRELAY_EMULATOR_RECORD: the IAM actions served)
from strict import cloudformation, cloudformation_conditions, cloudformation_if, cloudwatch, ec2, events, lambda_, lambda_esm, logs, servicediscovery, sqs, sqs_move  # noqa: F401  (applied on import)
from strict import events_archive_cfn, events_endpoints, events_endpoints_cfn, events_endpoints_put, events_replay, route53, route53_status  # noqa: F401,E402
from strict import waits  # noqa: F401,E402  (after the rules it times; off unless its env is set)
