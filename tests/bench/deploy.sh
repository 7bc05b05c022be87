#!/usr/bin/env bash
# Deploy benchmark on one moto server, in one run:
#   1. wall time of `evrelay deploy --yes` against `aws cloudformation deploy` with the same
#      rendered template (`evrelay template`) and the same parameters, different stack names;
#   2. the exit gap: from the stack reaching its final status (the timestamp of its last stack
#      event) to evrelay exiting. Goal: under 1 s (poll promptly; back off only when throttled).
# Each is run RUNS times (default 3) and every figure is printed. Exits 0 unless a deploy fails.
#
# Needs: a built evrelay (EVRELAY, default target/debug/evrelay; built with `cargo build` if
# missing), and a venv with moto_server, boto3 and the AWS CLI (VENV, default .venv). moto runs change sets synchronously, so these figures measure evrelay's and
# the CLI's own overhead (calls, polling, waiting), not CloudFormation.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
RUNS="${RUNS:-3}"
VENV="${VENV:-}"
[ -n "$VENV" ] || VENV="$root/.venv"
for tool in moto_server aws python; do
  [ -x "$VENV/bin/$tool" ] || { echo "bench: $VENV/bin/$tool not found (set VENV, or run tests/run.sh once)" >&2; exit 1; }
done
EVRELAY="${EVRELAY:-$root/target/debug/evrelay}"
[ -x "$EVRELAY" ] || cargo build --quiet --bin evrelay

work="$(mktemp -d)"
port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
for _ in $(seq 100); do "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break; sleep 0.1; done

# The network: two private subnets with NAT in two AZs, a relay group admitting 443 from itself,
# an internal ALB admitting the relay on 80. Prints: subnet_a subnet_b sg url
read -r subnet_a subnet_b sg url < <("$VENV/bin/python" - <<'PY'
import boto3
ec2 = boto3.client("ec2"); elb = boto3.client("elbv2")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
sub = lambda cidr, az: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
public, a, b = sub("10.0.0.0/24", "us-east-1a"), sub("10.0.1.0/24", "us-east-1a"), sub("10.0.2.0/24", "us-east-1b")
rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=rt, SubnetId=public)
eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
for s in (a, b):
    ec2.associate_route_table(RouteTableId=rt, SubnetId=s)
sg = ec2.create_security_group(VpcId=vpc, GroupName="relay", Description="relay")["GroupId"]
alb_sg = ec2.create_security_group(VpcId=vpc, GroupName="alb", Description="alb")["GroupId"]
rule = lambda g, src, port: ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": src}]}])
rule(sg, sg, 443); rule(alb_sg, sg, 80)
lb = elb.create_load_balancer(Name="app", Scheme="internal", Type="application", Subnets=[a, b], SecurityGroups=[alb_sg])["LoadBalancers"][0]
tg = elb.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
print(a, b, sg, f"http://{lb['DNSName']}/")
PY
)
"$EVRELAY" template > "$work/relay.yaml"
secret="bench-secret-$RANDOM$RANDOM"

now() { "$VENV/bin/python" -c 'import time; print(f"{time.time():.3f}")'; }
# The timestamp (epoch seconds) of the stack's last own event: when it reached its final status.
final_status_at() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys, boto3
stack = sys.argv[1]
events = boto3.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
own = [e for e in events if e["LogicalResourceId"] == stack and e["ResourceStatus"].endswith(("_COMPLETE", "_FAILED"))]
print(f"{max(e['Timestamp'] for e in own).timestamp():.3f}")
PY
}
elapsed() { "$VENV/bin/python" -c "print(f'{$2 - $1:.2f}')"; }

printf 'run  evrelay_deploy_s  aws_cfn_deploy_s  evrelay_exit_gap_s\n'
for i in $(seq "$RUNS"); do
  t0="$(now)"
  printf '%s\n' "$secret" | "$EVRELAY" --stack "bench-evrelay-$i" deploy --yes --secret-stdin \
    --subnet "$subnet_a" --subnet "$subnet_b" --security-group "$sg" --url "$url" >"$work/evrelay.out" 2>&1 \
    || { cat "$work/evrelay.out" >&2; exit 1; }
  t1="$(now)"
  gap="$(elapsed "$(final_status_at "bench-evrelay-$i")" "$t1")"

  t2="$(now)"
  "$VENV/bin/aws" cloudformation deploy --stack-name "bench-cli-$i" --template-file "$work/relay.yaml" \
    --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
    --parameter-overrides "TargetUrl=$url" "SubnetIds=$subnet_a,$subnet_b" "SecurityGroupIds=$sg" "Secret=$secret" \
    >"$work/cli.out" 2>&1 || { cat "$work/cli.out" >&2; exit 1; }
  t3="$(now)"
  printf '%-4s %-17s %-17s %s\n' "$i" "$(elapsed "$t0" "$t1")" "$(elapsed "$t2" "$t3")" "$gap"
done
echo "(evrelay includes its preflight and the Secrets Manager endpoint it creates on the first run; the CLI does neither)"
