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


# ---- a relay pair (real_account.py --secondary-region) ------------------------------------------
# https://aws.amazon.com/eventbridge/pricing/: "There is no additional charge for global
# endpoints. Custom events published to the global endpoint are billed according to the custom
# events pricing" ($1.00 per million custom events: the run sends a handful).
GLOBAL_ENDPOINT_HOUR = 0.0
CUSTOM_EVENT = 1.00 / 1_000_000
# Route 53 health check (on a CloudWatch alarm): the figure on https://aws.amazon.com/route53/pricing/
# was not found in the stored copy of the page; third-party transcriptions of it give $0.50 per
# health check-month for AWS endpoints. Counted as a whole month (if it is not prorated).
HEALTH_CHECK_MONTH = 0.50
# CloudWatch alarm (standard resolution, one metric): the figure on
# https://aws.amazon.com/cloudwatch/pricing/ was not found in the stored copy; infracost's price
# list gives $0.10 per alarm metric-month. Counted as a whole month.
ALARM_MONTH = 0.10
# EventBridge archive and replay: the archive's per-GB figures on
# https://aws.amazon.com/eventbridge/pricing/ were not found in the stored copy. The archive holds
# a few 1 KB events for an hour: well under a cent at any per-GB price; replayed events are
# custom events.
PAIR_EVENTS = 20


def estimate_pair(hours: int) -> float:
    """Two Regions' scaffolding and relays for `hours` billed hours, plus the pair's own parts."""
    per_region = estimate(hours)
    return 2 * per_region + hours * GLOBAL_ENDPOINT_HOUR + HEALTH_CHECK_MONTH + ALARM_MONTH + PAIR_EVENTS * CUSTOM_EVENT


def pair_plan_text(*, account: str, arn: str, primary: str, secondary: str, run_id: str) -> str:
    return f"""evrelay acceptance run {run_id}: a relay pair
  account {account} as {arn}, primary {primary}, secondary {secondary}

In EACH of {primary} and {secondary} it creates, all tagged evrelay-acceptance={run_id}:
  - a VPC 10.77.0.0/16 (DNS support and host names on), two private subnets in two AZs,
    no internet or NAT gateway; two security groups (the ALB's, the relay's)
  - an internal ALB with an HTTP:80 listener and a Lambda target group
  - a Lambda function (not in the VPC) as the ALB's target, its IAM role and log group
and evrelay deploys the pair (`deploy --secondary-region {secondary} --replication off`): its
stack {run_id} in both Regions (bus, rules, queues, the VPC relay, a generated secret,
`secretsmanager` and `events` interface endpoints in both AZs), in {primary} the global endpoint
stack {run_id}-endpoint (the endpoint, the alarm {run_id}-primary-latency, a Route 53 health
check on it), in {secondary} the archive stack {run_id}-archive.
The scenario then drills a failover (`failover start`, `failover stop`: the health check
inverted and restored) and replays the secondary's archive.

Expected duration: 45-90 min; at most ~150 min (scaffolding ~8 min, deploy ~10 min, each
failover step up to 15 min until Route 53 and EventBridge follow, 10 min before the replay
(archives lag), then destroy and teardown wait for Lambda to release the relays' VPC network
interfaces in both Regions: up to ~45 min each).
Expected cost (us-east-1 list prices, both Regions; partial hours billed as full hours):
  per Region: ALB ${ALB_HOUR}/h + ${ALB_LCU_HOUR}/LCU-h, interface endpoints ${ENDPOINT_AZ_HOUR}/h per AZ x {ENDPOINTS * AZS}
  global endpoint: no charge beyond its events; Route 53 health check ${HEALTH_CHECK_MONTH}/month and
  CloudWatch alarm ${ALARM_MONTH}/month (counted whole); archive, replay, Lambda, Secrets Manager: under a cent
  about ${estimate_pair(2):.2f} when done within two hours, at most ~${estimate_pair(3):.2f}.
Everything is removed on any exit (Ctrl-C and SIGTERM too); what cannot be is listed with the
command that removes it."""
