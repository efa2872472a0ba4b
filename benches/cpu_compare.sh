#!/usr/bin/env bash
# Server CPU per request, side by side: real redis-server and rredis-server run the same
# redis-benchmark load, alternating, and each server's own user+system CPU time (from
# /proc/PID/stat) is reported per million requests. CPU time does not depend on how busy
# the rest of the machine is the way throughput does, so small differences show.
#
#   bash benches/cpu_compare.sh [requests] [rounds]        (1000000 3)
#   TESTS=set,get,incr PIPELINE=16 CLIENTS=50 ...
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
rounds=${2:-3}
tests=${TESTS:-set,get,incr}
pipeline=${PIPELINE:-16}
clients=${CLIENTS:-50}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks_per_second=$(getconf CLK_TCK)
total_requests=$((requests * $(echo "$tests" | tr ',' '\n' | wc -l)))

# cpu_seconds BIN -> CPU seconds the server spent serving the load
cpu_seconds() {
    local port; port=$(free_port)
    "$1" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
    local pid=$!; pids+=("$pid")
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    local before; before=$(awk '{print $14+$15}' "/proc/$pid/stat")
    redis-benchmark -p "$port" -t "$tests" -n "$requests" -c "$clients" -P "$pipeline" -q >/dev/null 2>&1
    local after; after=$(awk '{print $14+$15}' "/proc/$pid/stat")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 -c "print(($after - $before) / $ticks_per_second)"
}

printf 'tests=%s -P %s -c %s, %s requests per round\n' "$tests" "$pipeline" "$clients" "$total_requests"
printf '%-6s %18s %18s %7s\n' "round" "redis s/M req" "ours s/M req" "ratio"
sum_r=0; sum_o=0
for round in $(seq "$rounds"); do
    r=$(cpu_seconds "$(command -v redis-server)")
    o=$(cpu_seconds "$ours_bin")
    sum_r=$(python3 -c "print($sum_r + $r)"); sum_o=$(python3 -c "print($sum_o + $o)")
    python3 -c "m = $total_requests / 1e6; print('%-6s %18.3f %18.3f %7.2f' % ($round, $r / m, $o / m, $o / $r))"
done
python3 -c "print('%-6s %18s %18s %7.2f' % ('all', '', '', $sum_o / $sum_r))"
