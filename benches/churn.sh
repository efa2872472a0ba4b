#!/usr/bin/env bash
# Memory after churn, side by side: loads N small string keys into redis-server and
# rredis-server (fresh each), deletes 90% of them, and prints for each: RSS per key
# after loading, used_memory per key, RSS and fragmentation (RSS / used_memory) after the
# deletions, and RSS after MEMORY PURGE. This is how the allocator was chosen (see
# README, "Memory"); run it with OURS_BIN built against another allocator to compare.
#
#   bash benches/churn.sh [keys]        (default 1000000)
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
used() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }

# RESP for the load and for deleting 9 keys out of 10.
python3 - "$count" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(work + "/load.resp", "wb") as load, open(work + "/delete.resp", "wb") as delete:
    for i in range(n):
        key = b"key:%012d" % i
        load.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n" % (len(key), key))
        if i % 10:
            delete.write(b"*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n" % (len(key), key))
PY

# churn BIN: one line of figures.
churn() {
    local port; port=$(free_port)
    "$1" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
    local pid=$!; pids+=("$pid")
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    rss() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$pid/status"; }
    local r0 r1 u1 r2 u2 r3
    r0=$(rss)
    redis-cli -p "$port" --pipe < "$work/load.resp" >/dev/null
    r1=$(rss); u1=$(used "$port")
    redis-cli -p "$port" --pipe < "$work/delete.resp" >/dev/null
    sleep 1.5
    r2=$(rss); u2=$(used "$port")
    redis-cli -p "$port" memory purge >/dev/null
    sleep 0.5
    r3=$(rss)
    python3 -c "print('%-8s %12d %12d %14.1f %10.2f %14.1f' % ('$2', ($r1 - $r0) / $count, $u1 / $count, $r2 / 2**20, $r2 / $u2, $r3 / 2**20))"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

printf '%s keys, then 90%% deleted\n' "$count"
printf '%-8s %12s %12s %14s %10s %14s\n' server "rss B/key" "used B/key" "rss MB after" frag "purged MB"
churn "$(command -v redis-server)" redis
churn "$ours_bin" ours
