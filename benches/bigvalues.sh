#!/usr/bin/env bash
# Big values side by side: redis-benchmark SET and then GET with values of 1 KB, 100 KB,
# 1 MB and 16 MB against redis-server and rredis-server, alternating, and for each
# test each server's throughput and its own CPU time per request (user+system, all
# threads). The request count shrinks with the size so that each test moves about
# BIG_MB megabytes (at most 100,000 requests, at least 32), and few clients are used,
# as redis-benchmark holds a copy of the value per client.
#
#   bash benches/bigvalues.sh [rounds]                   (default 3)
#   BIG_SIZES="1024 1048576" BIG_MB=512 BIG_CLIENTS=10 bash benches/bigvalues.sh
#
# Prints "size test requests clients redis-rps ours-rps ratio min-max redis-us ours-us
# cpu-ratio min-max" rows: medians over the rounds, ratios ours / redis with their
# min-max over the rounds. Servers and redis-benchmark are pinned to different CPUs
# (SERVER_CPU, CLIENT_CPU: 0 and 1). Not a pass/fail test: it reports numbers. Servers
# are started on free loopback ports and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
sizes=${BIG_SIZES:-1024 102400 1048576 16777216}
budget_mb=${BIG_MB:-512}
clients=${BIG_CLIENTS:-10}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
# cpu_ns PID: user+system CPU of the process, all threads, in nanoseconds (the figure of
# /proc/PID/stat fields 14+15, read from the process's CPU-time clock, which is not
# rounded to 10 ms ticks: a 16 MB test takes the server a fraction of a second).
cpu_ns() { python3 -c 'import sys, time; p = int(sys.argv[1]); print(time.clock_gettime_ns(((~p) << 3) | 2))' "$1"; }

# start BIN -> sets $port and $pid (taskset execs the server, so $! is its pid)
start() {
    port=$(free_port)
    taskset -c "$server_cpu" "$1" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$work" >/dev/null 2>&1 &
    pid=$!; pids+=("$pid")
    wait_up "$port"
}

# requests_for SIZE -> requests moving about budget_mb megabytes, within [32, 100000]
requests_for() { python3 -c "print(max(32, min(100000, $budget_mb * 1048576 // $1)))"; }

# bench PORT PID TEST SIZE REQUESTS -> "rps cpu_ns"
bench() {
    local before after rps
    before=$(cpu_ns "$2")
    rps=$(taskset -c "$client_cpu" redis-benchmark -p "$1" -t "$3" -d "$4" -n "$5" -c "$clients" \
        --csv 2>/dev/null | python3 -c 'import csv, sys; print(list(csv.reader(sys.stdin))[-1][1])')
    after=$(cpu_ns "$2")
    echo "$rps $((after - before))"
}

start "$(command -v redis-server)"; redis_pid=$pid; redis_port=$port
start "$ours_bin"; ours_pid=$pid; ours_port=$port

# Raw lines "size test requests side rps cpu_ns"; GET reads the value SET left. The two
# servers alternate test by test, and which one goes first alternates by round.
for round in $(seq "$rounds"); do
    sides="redis ours"; [ $((round % 2)) = 0 ] && sides="ours redis"
    for size in $sizes; do
        n=$(requests_for "$size")
        for test in set get; do
            for side in $sides; do
                if [ "$side" = redis ]; then pid=$redis_pid port=$redis_port; else pid=$ours_pid port=$ours_port; fi
                line=$(bench "$port" "$pid" "$test" "$size" "$n")
                echo "$size $test $n $side $line" >>"$work/raw"
            done
        done
    done
    echo "  (bigvalues round $round of $rounds done)" >&2
done

python3 - "$work/raw" "$clients" <<'PY'
import collections, statistics, sys
raw, clients = sys.argv[1], sys.argv[2]
runs = collections.OrderedDict()           # (size, test, n) -> side -> [(rps, ns)]
for line in open(raw):
    size, test, n, side, rps, ns = line.split()
    runs.setdefault((int(size), test, int(n)), {}).setdefault(side, []).append((float(rps), int(ns)))
def label(size):
    return "%dMB" % (size >> 20) if size >= 1 << 20 else "%dKB" % (size >> 10) if size >= 1024 else "%dB" % size
med = statistics.median
print("%-6s %-4s %8s %3s %10s %10s %6s %10s %10s %10s %6s %10s" % ("size", "test", "requests", "-c",
      "redis rps", "ours rps", "ratio", "min-max", "redis us", "ours us", "cpu", "min-max"))
for (size, test, n), sides in runs.items():
    r, o = sides["redis"], sides["ours"]
    tput = [b[0] / a[0] for a, b in zip(r, o)]
    cpu = [b[1] / a[1] for a, b in zip(r, o)]
    print("%-6s %-4s %8d %3s %10.0f %10.0f %6.2f %10s %10.1f %10.1f %6.2f %10s" % (
        label(size), test, n, clients, med(x[0] for x in r), med(x[0] for x in o), med(tput),
        "%.2f-%.2f" % (min(tput), max(tput)), med(x[1] for x in r) / 1e3 / n,
        med(x[1] for x in o) / 1e3 / n, med(cpu), "%.2f-%.2f" % (min(cpu), max(cpu))))
PY
