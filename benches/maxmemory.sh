#!/usr/bin/env bash
# Throughput with eviction active, side by side: real redis-server and rredis-server
# run with maxmemory and an eviction policy while redis-benchmark writes far more than
# fits (random keys over a large keyspace), alternating, and each round reports
# requests per second, keys evicted, used_memory at the end and the server's own CPU
# time per million requests (steadier than throughput on a busy machine).
#
#   bash benches/maxmemory.sh [requests] [rounds]        (1000000 2)
#   MAXMEMORY=50mb POLICY=allkeys-lru DATA=100 KEYSPACE=10000000 PIPELINE=1 CLIENTS=50 ...
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
rounds=${2:-2}
maxmemory=${MAXMEMORY:-50mb}
policy=${POLICY:-allkeys-lru}
data=${DATA:-100}
keyspace=${KEYSPACE:-10000000}
pipeline=${PIPELINE:-1}
clients=${CLIENTS:-50}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'; }

ticks_per_second=$(getconf CLK_TCK)

# run BIN -> "rps evicted used_memory cpu-seconds-per-million-requests"
run() {
    local port; port=$(free_port)
    "$1" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
        --maxmemory "$maxmemory" --maxmemory-policy "$policy" >/dev/null 2>&1 &
    local pid=$!; pids+=("$pid")
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    local rps before after
    before=$(awk '{print $14+$15}' "/proc/$pid/stat")
    rps=$(redis-benchmark -p "$port" -t set -n "$requests" -r "$keyspace" -d "$data" \
        -c "$clients" -P "$pipeline" -q 2>/dev/null | tr '\r' '\n' | awk '/requests per second/ { v = $2 } END { print v }')
    after=$(awk '{print $14+$15}' "/proc/$pid/stat")
    local cpu; cpu=$(python3 -c "print('%.3f' % (($after - $before) / $ticks_per_second / ($requests / 1e6)))")
    echo "$rps $(field "$port" stats evicted_keys) $(field "$port" memory used_memory) $cpu"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

printf 'SET -d %s -r %s -P %s -c %s, %s requests, maxmemory %s %s\n' \
    "$data" "$keyspace" "$pipeline" "$clients" "$requests" "$maxmemory" "$policy"
printf '%-6s %-8s %12s %12s %14s %10s\n' round server "req/s" evicted used_memory "cpu s/M"
sum_r=0; sum_o=0; cpu_r=0; cpu_o=0
for round in $(seq "$rounds"); do
    read -r r_rps r_ev r_used r_cpu < <(run "$(command -v redis-server)")
    read -r o_rps o_ev o_used o_cpu < <(run "$ours_bin")
    printf '%-6s %-8s %12s %12s %14s %10s\n' "$round" redis "$r_rps" "$r_ev" "$r_used" "$r_cpu"
    printf '%-6s %-8s %12s %12s %14s %10s\n' "$round" ours "$o_rps" "$o_ev" "$o_used" "$o_cpu"
    sum_r=$(python3 -c "print($sum_r + $r_rps)"); sum_o=$(python3 -c "print($sum_o + $o_rps)")
    cpu_r=$(python3 -c "print($cpu_r + $r_cpu)"); cpu_o=$(python3 -c "print($cpu_o + $o_cpu)")
done
python3 -c "print('throughput ours/redis: %.2f   server CPU per request ours/redis: %.2f' % ($sum_o / $sum_r, $cpu_o / $cpu_r))"
