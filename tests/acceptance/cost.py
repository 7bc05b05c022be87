"""What a real-account run creates, costs and takes: printed before anything is created.

Prices are us-east-1 on-demand list prices, looked up on 2026-12-04 (other regions cost up to
~50% more); a partial hour of an ALB or an interface endpoint is billed as a full hour.
"""

from __future__ import annotations

# https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer, US East)
ALB_HOUR = 0.0225
ALB_LCU_HOUR = 0.008
# https://aws.amazon.com/privatelink/pricing/ (interface endpoint, per AZ; first PB)
ENDPOINT_AZ_HOUR = 0.01
ENDPOINT_GB = 0.01
# https://aws.amazon.com/lambda/pricing/ (x86; the free tier ignored)
LAMBDA_REQUEST = 0.20 / 1_000_000
LAMBDA_GB_SECOND = 0.0000166667
# https://aws.amazon.com/secrets-manager/pricing/ (per secret-month, prorated by the hour)
SECRET_MONTH = 0.40

ENDPOINTS = 2        # evrelay makes `secretsmanager` and `events` endpoints: the VPC has no NAT
AZS = 2
INVOCATIONS = 50     # relay + target, the scenario's handful of events and their retries


def estimate(hours: int) -> float:
    """The run's bill when its resources live `hours` billed hours."""
    alb = hours * (ALB_HOUR + ALB_LCU_HOUR)  # a trickle of requests: at most 1 LCU an hour
    endpoints = hours * ENDPOINTS * AZS * ENDPOINT_AZ_HOUR
    lam = INVOCATIONS * (LAMBDA_REQUEST + 0.25 * 10 * LAMBDA_GB_SECOND)
    secret = SECRET_MONTH * hours / 730
    return alb + endpoints + lam + secret


def plan_text(*, account: str, arn: str, region: str, run_id: str) -> str:
    return f"""evrelay acceptance run {run_id}
  account {account} as {arn}, region {region}

It creates, all tagged evrelay-acceptance={run_id}:
  - a VPC 10.77.0.0/16 (DNS support and host names on), two private subnets in two AZs,
    no internet or NAT gateway; two security groups (the ALB's, the relay's)
  - an internal ALB with an HTTP:80 listener and a Lambda target group
  - a Lambda function (not in the VPC) as the ALB's target, its IAM role and log group
and evrelay creates its stack {run_id} (bus, rules, queues, the VPC relay function, the
generated secret) and `secretsmanager` and `events` interface endpoints in both AZs.

Expected duration: 20-40 min; at most ~75 min (scaffolding ~4 min, deploy ~5 min, the refused
event's retries ~4 min, then destroy and teardown wait for Lambda to release the relay's VPC
network interfaces: up to ~45 min).
Expected cost (us-east-1 list prices; partial hours billed as full hours):
  ALB ${ALB_HOUR}/h + ${ALB_LCU_HOUR}/LCU-h, interface endpoints ${ENDPOINT_AZ_HOUR}/h per AZ x {ENDPOINTS * AZS},
  Lambda and Secrets Manager: under a cent
  about ${estimate(1):.2f} when done within the hour, at most ~${estimate(2):.2f}.
Everything is removed on any exit (Ctrl-C and SIGTERM too); what cannot be is listed with the
command that removes it."""
