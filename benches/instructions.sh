#!/usr/bin/env bash
# Instructions per request, side by side: redis-server and rredis-server each run under
# valgrind's callgrind, and for every redis-benchmark test the counters are zeroed, the
# test runs on one connection (-c 1 -P 1), and the counters are dumped. The user-space
# instructions the server executed divided by the requests is the figure; it does not
# depend on how busy the machine is, so it is the steadiest measure of work per request.
#
#   bash benches/instructions.sh [requests]          (default 20000)
#   TESTS=set,get bash benches/instructions.sh
#
# Prints "test redis ours ratio" lines. Not a pass/fail test. Servers are started on
# free loopback ports and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
tests=${TESTS:-ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600,mset}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_under_callgrind NAME BIN ARGS... -> sets $port and $pid
start_under_callgrind() {
    local name=$1; shift
    port=$(free_port)
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" \
        "$@" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
        >/dev/null 2>&1 &
    pid=$!; pids+=("$pid")
    for _ in $(seq 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "$name did not start under valgrind" >&2; exit 1
}

# per_request PID PORT TEST -> instructions per request for TEST
per_request() {
    local pid=$1 port=$2 test=$3 after
    # One warm-up pass so that first-use allocations and table growth are not counted.
    redis-benchmark -p "$port" -t "$test" -n 1000 -c 1 -P 1 -q >/dev/null 2>&1
    callgrind_control -z "$pid" >/dev/null 2>&1
    redis-benchmark -p "$port" -t "$test" -n "$requests" -c 1 -P 1 -q >/dev/null 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    # The newest dump holds the counts since the zeroing.
    local dump; dump=$(ls -t "$work"/*.cg.* 2>/dev/null | head -1)
    after=$(awk '/^(summary|totals):/ {print $2; exit}' "$dump")
    rm -f "$dump"
    python3 -c "print(round($after / $requests))"
}

start_under_callgrind redis "$(command -v redis-server)"; redis_pid=$pid; redis_port=$port
start_under_callgrind ours "$ours_bin"; ours_pid=$pid; ours_port=$port

printf '%-12s %10s %10s %7s\n' test "redis Ir" "ours Ir" ratio
for test in ${tests//,/ }; do
    r=$(per_request "$redis_pid" "$redis_port" "$test")
    o=$(per_request "$ours_pid" "$ours_port" "$test")
    printf '%-12s %10s %10s %7s\n' "$test" "$r" "$o" "$(python3 -c "print(round($o / $r, 2))")"
done
