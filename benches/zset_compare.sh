#!/usr/bin/env bash
# Sorted sets side by side: real redis-server and rredis-server, same machine, same run,
# alternating. Loads one zset of N members (`member:%012d` with score i, the shape of
# redis-benchmark's __rand_int__) into each through `redis-cli --pipe`, prints each
# server's RSS growth, then runs redis-benchmark custom commands against that zset with
# `-r N` (ZSCORE, ZRANK, ZRANGEBYSCORE ... LIMIT 0 10, ZADD updates) and prints the
# throughput ratio ours / redis and p50/p99 latencies.
#
#   bash benches/zset_compare.sh [members] [requests] [rounds]   (1000000 200000 2)
#   CLIENTS=50 PIPELINES="1 16" ...
#
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-1000000}
requests=${2:-200000}
rounds=${3:-2}
clients=${CLIENTS:-50}
pipelines=${PIPELINES:-1 16}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
ours_port=$(free_port)
"$ours_bin" --port "$ours_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
ours_pid=$!; pids+=("$ours_pid")
wait_up "$redis_port"; wait_up "$ours_port"

# The load: ZADD myz i member:%012d i ..., 100 members per command.
python3 - "$members" >"$work/load.resp" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
for start in range(0, n, 100):
    args = [b"ZADD", b"myz"]
    for i in range(start, min(n, start + 100)):
        args += [b"%d" % i, b"member:%012d" % i]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
declare -A grow
for side in redis ours; do
    port=$redis_port; pid=$redis_pid
    [ "$side" = ours ] && { port=$ours_port; pid=$ours_pid; }
    before=$(rss_kb "$pid")
    redis-cli -p "$port" --pipe <"$work/load.resp" >/dev/null
    grow[$side]=$(( $(rss_kb "$pid") - before ))
    echo "$side: ZCARD $(redis-cli -p "$port" zcard myz), OBJECT ENCODING $(redis-cli -p "$port" object encoding myz), RSS +${grow[$side]} kB"
done
echo "RSS ratio ours/redis for $members members: $(python3 -c "print(round(${grow[ours]}/${grow[redis]}, 2))")"
echo

commands=(
    "ZSCORE myz member:__rand_int__"
    "ZRANK myz member:__rand_int__"
    "ZRANGEBYSCORE myz __rand_int__ +inf LIMIT 0 10"
    "ZADD myz __rand_int__ member:__rand_int__"
)

# bench PORT PIPELINE COMMAND -> "rps p50 p99"
bench() {
    # shellcheck disable=SC2086
    redis-benchmark -p "$1" -n "$requests" -c "$clients" -P "$2" -r "$members" --csv $3 2>/dev/null |
        python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
print(rows[1][1], rows[1][4], rows[1][6])'
}

printf '%-3s %-48s %10s %10s %6s %14s %14s\n' "-P" "command" "redis rps" "ours rps" ratio "p50 r/o ms" "p99 r/o ms"
for pipeline in $pipelines; do
    for command in "${commands[@]}"; do
        sum_r=0; sum_o=0
        for _ in $(seq "$rounds"); do
            read -r rps_r p50_r p99_r < <(bench "$redis_port" "$pipeline" "$command")
            read -r rps_o p50_o p99_o < <(bench "$ours_port" "$pipeline" "$command")
            sum_r=$(python3 -c "print($sum_r+$rps_r)"); sum_o=$(python3 -c "print($sum_o+$rps_o)")
        done
        printf '%-3s %-48s %10.0f %10.0f %6.2f %14s %14s\n' "$pipeline" "$command" \
            "$(python3 -c "print($sum_r/$rounds)")" "$(python3 -c "print($sum_o/$rounds)")" \
            "$(python3 -c "print(round($sum_o/$sum_r, 2))")" "$p50_r/$p50_o" "$p99_r/$p99_o"
    done
done
