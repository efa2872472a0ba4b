#!/usr/bin/env bash
# Persistence side by side with real redis-server, same machine, same run:
#   - SAVE time, file size and load time for N keys (DEBUG POPULATE N, default 5,000,000)
#   - BGSAVE of those keys under redis-benchmark load: p50/p99/max latency while the
#     child writes, fork time, copy-on-write bytes (rdb_last_cow_size)
#   - SET throughput with appendonly yes and appendfsync everysec / always
#
#   bash benches/persistence.sh [keys] [aof-requests]
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# in temporary directories and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-5000000}
aof_requests=${2:-200000}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 6000); do redis-cli -p "$1" ping 2>/dev/null | grep -q 'PONG\|LOADING' && return; sleep 0.01; done; echo "server on $1 did not start" >&2; exit 1; }
now() { python3 -c 'import time; print(time.time())'; }
info() { redis-cli -p "$1" info persistence | tr -d '\r' | sed -n "s/^$2://p"; }
info_stats() { redis-cli -p "$1" info stats | tr -d '\r' | sed -n "s/^$2://p"; }

# start SIDE DIR EXTRA... -> sets $port and $pid (waits until it answers, even -LOADING)
start() {
    local side=$1 dir=$2; shift 2
    port=$(free_port)
    local bin=redis-server; [ "$side" = ours ] && bin=$ours_bin
    "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" "$@" >>"$dir/log" 2>&1 &
    pid=$!; pids+=("$pid")
    wait_up "$port"
}

bench_csv() { # PORT TESTS REQUESTS -> "rps p50 p99 max" of the first test
    redis-benchmark -p "$1" -t "$2" -n "$3" -c 50 --csv 2>/dev/null |
        python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin))[1]; print(r[1], r[4], r[6], r[7])'
}

echo "== snapshot of $keys keys (DEBUG POPULATE) =="
printf "%-6s %9s %11s %9s %9s %9s %9s %9s %11s %9s\n" side save_s file_MB load_s bg_p50 bg_p99 bg_max fork_ms cow_MB bg_s
for side in redis ours; do
    dir="$work/$side"; mkdir -p "$dir"
    start "$side" "$dir" --save '' --appendonly no --enable-debug-command yes
    redis-cli -p "$port" debug populate "$keys" >/dev/null
    t0=$(now); redis-cli -p "$port" save >/dev/null; t1=$(now)
    save_s=$(python3 -c "print(f'{$t1-$t0:.2f}')")
    size_mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$dir/dump.rdb\")/1048576:.1f}')")
    # BGSAVE under load: the benchmark runs while the child writes the snapshot.
    (bench_csv "$port" get 2000000 >"$dir/bench") &
    bench_pid=$!
    sleep 0.3
    redis-cli -p "$port" bgsave >/dev/null
    bg0=$(now)
    while [ "$(info "$port" rdb_bgsave_in_progress)" != 0 ]; do sleep 0.05; done
    bg1=$(now)
    wait "$bench_pid"
    read -r _ bg_p50 bg_p99 bg_max <"$dir/bench"
    fork_ms=$(python3 -c "print(f'{$(info_stats "$port" latest_fork_usec)/1000:.1f}')")
    cow_mb=$(python3 -c "print(f'{$(info "$port" rdb_last_cow_size)/1048576:.1f}')")
    bg_s=$(python3 -c "print(f'{$bg1-$bg0:.2f}')")
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    start "$side" "$dir" --save '' --appendonly no
    # Both servers log "DB loaded from disk: <seconds> seconds" when the load is done
    # (Redis answers PING with -LOADING meanwhile, so PING cannot time it).
    for _ in $(seq 600); do grep -q 'DB loaded from disk' "$dir/log" && break; sleep 0.1; done
    load_s=$(sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$dir/log" | tail -1)
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    printf "%-6s %9s %11s %9s %9s %9s %9s %9s %11s %9s\n" "$side" "$save_s" "$size_mb" "$load_s" "$bg_p50" "$bg_p99" "$bg_max" "$fork_ms" "$cow_mb" "$bg_s"
done

echo
echo "== SET with appendonly yes ($aof_requests requests, 50 clients, -P 1) =="
printf "%-6s %-9s %10s %8s %8s %8s\n" side fsync rps p50 p99 max
for policy in everysec always; do
    for side in redis ours; do
        dir="$work/aof-$side-$policy"; mkdir -p "$dir"
        start "$side" "$dir" --save '' --appendonly yes --appendfsync "$policy"
        read -r rps p50 p99 max < <(bench_csv "$port" set "$aof_requests")
        kill -9 "$pid"; wait "$pid" 2>/dev/null || true
        printf "%-6s %-9s %10s %8s %8s %8s\n" "$side" "$policy" "$rps" "$p50" "$p99" "$max"
    done
done
