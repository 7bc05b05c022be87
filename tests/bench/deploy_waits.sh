#!/usr/bin/env bash
# The waits of a first deploy and a destroy, on the time-shaped strict emulator
# (tests/emulator/strict/waits.py; SCALE 0.1 = AWS's durations / 10): wall time against the sum
# and the maximum of the two waits (the endpoints' pending, the stack's create; on destroy the
# stack's delete, held by the function's network interfaces, and the endpoints' deleting).
# Measures and prints; asserts nothing. Each binary gets a fresh VPC without NAT, so each
# deploy makes its Secrets Manager and EventBridge endpoints.
#
#   BEFORE=/path/to/main/evrelay tests/bench/deploy_waits.sh   # compare with another build
# Needs: a built evrelay (AFTER, default target/debug/evrelay) and the venv (VENV, default .venv).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
VENV="${VENV:-$root/.venv}"
SCALE="${SCALE:-0.1}"
AFTER="${AFTER:-$root/target/debug/evrelay}"
BEFORE="${BEFORE:-}"
[ -x "$AFTER" ] || cargo build --quiet --bin evrelay

work="$(mktemp -d)"
port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
EVRELAY_EMULATOR_TIME_SCALE="$SCALE" "$VENV/bin/python" tests/emulator/moto_launcher.py \
  -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
for _ in $(seq 200); do "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break; sleep 0.1; done

# A VPC with two private subnets and no NAT, a relay group admitting 443 from itself, an
# internal ALB admitting the relay on 80. Prints: subnet_a subnet_b sg url vpc
seed() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys, boto3
n = int(sys.argv[1])
ec2 = boto3.client("ec2"); elb = boto3.client("elbv2")
vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
    ec2.modify_vpc_attribute(VpcId=vpc, **{attr: {"Value": True}})
sub = lambda cidr, az: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
a, b = sub(f"10.{n}.1.0/24", "us-east-1a"), sub(f"10.{n}.2.0/24", "us-east-1b")
sg = ec2.create_security_group(VpcId=vpc, GroupName=f"relay{n}", Description="relay")["GroupId"]
alb_sg = ec2.create_security_group(VpcId=vpc, GroupName=f"alb{n}", Description="alb")["GroupId"]
rule = lambda g, src, port: ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": src}]}])
rule(sg, sg, 443); rule(alb_sg, sg, 80)
lb = elb.create_load_balancer(Name=f"app{n}", Scheme="internal", Type="application", Subnets=[a, b], SecurityGroups=[alb_sg])["LoadBalancers"][0]
tg = elb.create_target_group(Name=f"app{n}", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
print(a, b, sg, f"http://{lb['DNSName']}/", vpc)
PY
}
now() { "$VENV/bin/python" -c 'import time; print(f"{time.time():.3f}")'; }
# The stack operation's own duration (first to last stack event of that operation, AWS's clock).
stack_wait() {
  "$VENV/bin/python" - "$1" "$2" <<'PY'
import sys, boto3
stack_id, kind = sys.argv[1], sys.argv[2]
events = boto3.client("cloudformation").describe_stack_events(StackName=stack_id)["StackEvents"]
own = sorted(e["Timestamp"].timestamp() for e in events
             if e["ResourceType"] == "AWS::CloudFormation::Stack" and e["ResourceStatus"].startswith(kind))
print(f"{own[-1] - own[0]:.2f}")
PY
}
stack_id() { "$VENV/bin/python" -c "import boto3; print(boto3.client('cloudformation').describe_stacks(StackName='$1')['Stacks'][0]['StackId'])"; }
f() { "$VENV/bin/python" -c "print(f'{$1:.2f}')"; }
# The endpoints' waits, from the emulator's shapes (pending 60 s, deleting 30 s on AWS).
ep_pending="$(f "60 * $SCALE")"; ep_deleting="$(f "30 * $SCALE")"

printf 'scale %s: endpoint pending %ss, deleting %ss\n' "$SCALE" "$ep_pending" "$ep_deleting"
printf '%-7s %-8s %-8s %-8s %-8s %-8s\n' build step wall_s stack_s sum_s max_s
n=10
for build in ${BEFORE:+before} after; do
  bin="$AFTER"; [ "$build" = before ] && bin="$BEFORE"
  n=$((n + 1)); stack="waits-$build"
  read -r a b sg url _vpc < <(seed "$n")
  t0="$(now)"
  (cd "$work" && "$bin" --stack "$stack" deploy --yes --generate-secret \
    --subnet "$a" --subnet "$b" --security-group "$sg" --url "$url") >"$work/$build-deploy.out" 2>&1 \
    || { cat "$work/$build-deploy.out" >&2; exit 1; }
  t1="$(now)"
  id="$(stack_id "$stack")"; s="$(stack_wait "$id" CREATE)"
  printf '%-7s %-8s %-8s %-8s %-8s %-8s\n' "$build" deploy "$(f "$t1 - $t0")" "$s" "$(f "$s + $ep_pending")" "$(f "max($s, $ep_pending)")"
  t0="$(now)"
  (cd "$work" && "$bin" --stack "$stack" destroy --yes) >"$work/$build-destroy.out" 2>&1 \
    || { cat "$work/$build-destroy.out" >&2; exit 1; }
  t1="$(now)"
  s="$(stack_wait "$id" DELETE)"
  printf '%-7s %-8s %-8s %-8s %-8s %-8s\n' "$build" destroy "$(f "$t1 - $t0")" "$s" "$(f "$s + $ep_deleting")" "$(f "max($s, $ep_deleting)")"
done
echo "(wall includes preflight and the change set; deploy's sum/max are of the stack's create and the endpoints' pending, destroy's of the stack's delete and the endpoints' deleting)"
