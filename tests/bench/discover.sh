#!/usr/bin/env bash
# Benchmark: whole-process wall time and peak memory of `evrelay --help`, `evrelay discover` on a
# seeded eksctl-shaped VPC, and one `aws ec2 describe-subnets` (the AWS CLI) on the same moto
# server. Goals: --help under 10 ms; discover under half of that single AWS CLI call.
# Prints figures and exits 0; it asserts nothing.
#
# Needs: a venv with moto[server], boto3 and awscli (EVRELAY_VENV, default ./.venv); an evrelay
# binary (EVRELAY_BIN, default target/release/evrelay, else target/debug/evrelay); hyperfine
# (optional: a `date +%s%N` loop otherwise); GNU time at /usr/bin/time (optional).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${EVRELAY_VENV:-$root/.venv}"
runs="${RUNS:-20}"
bin="${EVRELAY_BIN:-}"
if [[ -z "$bin" ]]; then
    if [[ -x "$root/target/release/evrelay" ]]; then bin="$root/target/release/evrelay"; else bin="$root/target/debug/evrelay"; fi
fi
[[ -x "$bin" ]] || { echo "no evrelay binary at $bin: run cargo build --release (or set EVRELAY_BIN)" >&2; exit 1; }
[[ -x "$venv/bin/moto_server" && -x "$venv/bin/aws" ]] || { echo "no moto_server/aws in $venv (set EVRELAY_VENV)" >&2; exit 1; }

port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
home="$(mktemp -d)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$home/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

# Same isolation as the integration tests: dummy credentials, empty config files.
: >"$home/config"
: >"$home/credentials"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$home/config"
export AWS_SHARED_CREDENTIALS_FILE="$home/credentials" AWS_EC2_METADATA_DISABLED=true NO_COLOR=1 AWS_PAGER=""

vpc="$("$venv/bin/python" "$root/tests/bench/seed_discover.py" "$AWS_ENDPOINT_URL")"
"$bin" discover --cluster events >/dev/null  # fails loudly here if the fixture is not found

labels=("evrelay --help" "evrelay discover --cluster events" "aws ec2 describe-subnets")
run() {
    case "$1" in
        0) "$bin" --help ;;
        1) "$bin" discover --cluster events ;;
        2) "$venv/bin/aws" ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" ;;
    esac
}
commands=("$bin --help" "$bin discover --cluster events" "$venv/bin/aws ec2 describe-subnets --filters Name=vpc-id,Values=$vpc")

echo "machine: $(nproc) cores, $(uname -sr); evrelay: $bin ($(file -b "$bin" | cut -d, -f1)); moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
echo "seeded VPC $vpc on $AWS_ENDPOINT_URL; $runs runs each"
echo

declare -A median
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$home/h.json" \
        -n "${labels[0]}" "${commands[0]}" -n "${labels[1]}" "${commands[1]}" -n "${labels[2]}" "${commands[2]}" \
        >"$home/hyperfine.txt"
    while IFS=$'\t' read -r name med min max; do
        median["$name"]="$med"
        printf '%-36s median %8.1f ms   (min %.1f, max %.1f)\n' "$name" "$med" "$min" "$max"
    done < <("$venv/bin/python" -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("\t".join([r["command"], *("%.2f" % (r[k] * 1000) for k in ("median", "min", "max"))]))' "$home/h.json")
else
    for i in 0 1 2; do
        times=()
        for _ in $(seq "$runs"); do
            start=$(date +%s%N); run "$i" >/dev/null 2>&1; end=$(date +%s%N)
            times+=("$(( (end - start) / 1000 ))")
        done
        med="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')"
        median["${labels[$i]}"]="$med"
        printf '%-36s median %8.1f ms   (date loop, no hyperfine)\n' "${labels[$i]}" "$med"
    done
fi

echo
if [[ -x /usr/bin/time ]]; then
    for i in 0 1 2; do
        # `run` is a shell function: time the real process through `bash -c`'s exec of it.
        /usr/bin/time -v bash -c "exec ${commands[$i]}" >/dev/null 2>"$home/time.txt" || true
        awk -F': ' -v label="${labels[$i]}" '
            /Maximum resident set size/ {rss = $2}
            /User time|System time/ {cpu += $2}
            END {printf "%-36s peak RSS %7.1f MiB   user+sys %4.0f ms\n", label, rss / 1024, cpu * 1000}' "$home/time.txt"
    done
else
    echo "peak memory: /usr/bin/time not installed (apt-get install time)"
fi

echo
help_ms="${median[evrelay --help]}"
disc_ms="${median[evrelay discover --cluster events]}"
aws_ms="${median[aws ec2 describe-subnets]}"
"$venv/bin/python" - "$help_ms" "$disc_ms" "$aws_ms" <<'PY'
import sys
help_ms, disc, aws = map(float, sys.argv[1:])
print(f"goal --help < 10 ms: {help_ms:.1f} ms -> {'met' if help_ms < 10 else 'NOT met'}")
print(f"goal discover < 1/2 of one AWS CLI call: {disc:.1f} ms vs {aws:.1f} ms = {disc / aws:.2f}x -> {'met' if disc < aws / 2 else 'NOT met'}")
PY
exit 0
