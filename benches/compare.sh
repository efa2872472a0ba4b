#!/usr/bin/env bash
# Side-by-side benchmark: real redis-server and rredis-server, same machine, same run,
# alternating, with redis-benchmark. Prints per-test throughput ratios (ours / redis) and
# p50/p99 latencies, then RSS after loading 1,000,000 small keys into each.
#
#   bash benches/compare.sh [requests] [rounds]
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
rounds=${2:-2}
tests=${TESTS:-ping,set,get,incr,mset}
clients=${CLIENTS:-50}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Servers start in this shell (so their pids reach the cleanup trap) with every output
# sent to /dev/null (so no pipe stays open behind them).
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
ours_port=$(free_port)
"$ours_bin" --port "$ours_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
ours_pid=$!; pids+=("$ours_pid")
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }

wait_up "$redis_port"; wait_up "$ours_port"

# bench PORT PIPELINE -> lines "test rps p50 p99"
bench() {
    redis-benchmark -p "$1" -t "$tests" -n "$requests" -c "$clients" -P "$2" --csv 2>/dev/null |
        python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
for row in rows[1:]:
    print(row[0].replace(" ", "_"), row[1], row[4], row[6])'
}

declare -A sum_r sum_o p50_r p50_o p99_r p99_o
for pipeline in 1 16; do
    for round in $(seq "$rounds"); do
        for side in redis ours; do
            port=$redis_port; [ "$side" = ours ] && port=$ours_port
            while read -r name rps p50 p99; do
                key="$pipeline/$name"
                if [ "$side" = redis ]; then
                    sum_r[$key]=$(python3 -c "print(${sum_r[$key]:-0}+$rps)"); p50_r[$key]=$p50; p99_r[$key]=$p99
                else
                    sum_o[$key]=$(python3 -c "print(${sum_o[$key]:-0}+$rps)"); p50_o[$key]=$p50; p99_o[$key]=$p99
                fi
            done < <(bench "$port" "$pipeline")
        done
    done
done

printf '%-6s %-14s %12s %12s %7s %16s %16s\n' "-P" "test" "redis rps" "ours rps" "ratio" "p50 redis/ours" "p99 redis/ours"
for key in $(printf '%s\n' "${!sum_r[@]}" | sort); do
    r=${sum_r[$key]}; o=${sum_o[$key]:-0}
    printf '%-6s %-14s %12.0f %12.0f %7.2f %16s %16s\n' "${key%%/*}" "${key#*/}" \
        "$(python3 -c "print($r/$rounds)")" "$(python3 -c "print($o/$rounds)")" "$(python3 -c "print($o/$r)")" \
        "${p50_r[$key]}/${p50_o[$key]}" "${p99_r[$key]}/${p99_o[$key]}"
done

# RSS after loading 1,000,000 small keys (SET key:N value, pipelined).
load_keys() {
    python3 -c '
import sys
out = sys.stdout.buffer
for i in range(1000000):
    k = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n" % (len(k), k))' | redis-cli -p "$1" --pipe >/dev/null
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
base_r=$(rss_kb "$redis_pid"); base_o=$(rss_kb "$ours_pid")
redis-cli -p "$redis_port" flushall >/dev/null; redis-cli -p "$ours_port" flushall >/dev/null
load_keys "$redis_port"; load_keys "$ours_port"
rss_r=$(rss_kb "$redis_pid"); rss_o=$(rss_kb "$ours_pid")
echo
echo "RSS with 1,000,000 keys: redis ${rss_r} kB, ours ${rss_o} kB, ratio $(python3 -c "print(round($rss_o/$rss_r, 2))")"
echo "  (dbsize redis $(redis-cli -p "$redis_port" dbsize), ours $(redis-cli -p "$ours_port" dbsize); empty-server RSS redis ${base_r} kB, ours ${base_o} kB)"
