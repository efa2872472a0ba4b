#!/usr/bin/env bash
# EVALSHA throughput side by side: real redis-server and rredis-server, same machine,
# same run, alternating. Each script is loaded with SCRIPT LOAD into both servers, then
# redis-benchmark runs `EVALSHA <sha> 0` at pipeline depths 1 and 16. Prints throughput
# ratios (ours / redis), p50/p99 latencies, and each server's own CPU time per request
# (user+system from /proc/PID/stat: unlike throughput, it hardly depends on how busy
# the rest of the machine is).
#
#   bash benches/script_compare.sh [requests] [rounds]
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
rounds=${2:-3}
clients=${CLIENTS:-50}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
ours_port=$(free_port)
"$ours_bin" --port "$ours_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
ours_pid=$!; pids+=("$ours_pid")
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
wait_up "$redis_port"; wait_up "$ours_port"

scripts=("return redis.call('ping')" "return redis.call('set','k','v')" "return 1")
names=(ping set return1)

ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# bench PORT PID PIPELINE SHA -> "rps p50 p99 cpu_ticks"
bench() {
    local before; before=$(cpu_ticks "$2")
    redis-benchmark -p "$1" -n "$requests" -c "$clients" -P "$3" --csv evalsha "$4" 0 2>/dev/null |
        python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
print(rows[1][1], rows[1][4], rows[1][6], end=" ")'
    echo $(( $(cpu_ticks "$2") - before ))
}

printf '%-4s %-8s %12s %12s %7s %16s %16s %18s\n' "-P" "script" "redis rps" "ours rps" "ratio" \
    "p50 redis/ours" "p99 redis/ours" "cpu us/req r/ours"
for i in "${!scripts[@]}"; do
    sha=$(redis-cli -p "$redis_port" script load "${scripts[$i]}")
    [ "$(redis-cli -p "$ours_port" script load "${scripts[$i]}")" = "$sha" ] || { echo "SHA mismatch" >&2; exit 1; }
    for pipeline in 1 16; do
        sum_r=0; sum_o=0; cpu_r=0; cpu_o=0
        for _ in $(seq "$rounds"); do
            read -r rps_r p50_r p99_r ticks_r < <(bench "$redis_port" "$redis_pid" "$pipeline" "$sha")
            read -r rps_o p50_o p99_o ticks_o < <(bench "$ours_port" "$ours_pid" "$pipeline" "$sha")
            sum_r=$(python3 -c "print($sum_r+$rps_r)"); sum_o=$(python3 -c "print($sum_o+$rps_o)")
            cpu_r=$((cpu_r + ticks_r)); cpu_o=$((cpu_o + ticks_o))
        done
        per_req() { python3 -c "print(round($1 / $ticks_per_second / ($requests * $rounds) * 1e6, 2))"; }
        printf '%-4s %-8s %12.0f %12.0f %7.2f %16s %16s %18s\n' "$pipeline" "${names[$i]}" \
            "$(python3 -c "print($sum_r/$rounds)")" "$(python3 -c "print($sum_o/$rounds)")" \
            "$(python3 -c "print($sum_o/$sum_r)")" "$p50_r/$p50_o" "$p99_r/$p99_o" \
            "$(per_req $cpu_r)/$(per_req $cpu_o)"
    done
done
