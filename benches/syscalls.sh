#!/usr/bin/env bash
# Syscalls per request, side by side: `strace -c -f` is attached to redis-server and to
# rredis-server (all their threads) while redis-benchmark runs a fixed number of
# requests of one test against it; the server's syscalls, all of them, divided by the
# requests is the figure (connection set-up and the cron are included: a few hundred
# calls against 100,000 requests). strace slows each syscall down, which does not matter
# for a count; but a slower server finds more clients ready per epoll_wait, so compare
# the two servers with each other, both traced, rather than with an untraced run.
#
#   bash benches/syscalls.sh [requests]              (default 100000)
#   SYSCALL_TESTS=set,get SYSCALL_PIPELINES="1 16" SYSCALL_CLIENTS=50 bash benches/syscalls.sh
#
# Prints "test -P -c requests redis ours ratio" rows (syscalls per request), then each
# server's most frequent syscalls per request. Not a pass/fail test: it reports numbers.
# Servers are started on free loopback ports and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-100000}
tests=${SYSCALL_TESTS:-set,get}
pipelines=${SYSCALL_PIPELINES:-1 16}
clients=${SYSCALL_CLIENTS:-50}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }

# start BIN -> sets $port and $pid
start() {
    port=$(free_port)
    "$1" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
    pid=$!; pids+=("$pid")
    wait_up "$port"
}

# traced PID PORT TEST PIPELINE NAME -> strace's summary table in $work/NAME.strace
traced() {
    local pid=$1 port=$2 test=$3 pipeline=$4 out=$work/$5.strace strace_pid
    : >"$work/strace.err"
    strace -c -f -p "$pid" -o "$out" 2>"$work/strace.err" &
    strace_pid=$!; pids+=("$strace_pid")
    # strace says "Process N attached" once it traces every thread; count from there.
    for _ in $(seq 100); do grep -q attached "$work/strace.err" && break; sleep 0.05; done
    grep -q attached "$work/strace.err" || { cat "$work/strace.err" >&2; exit 1; }
    redis-benchmark -p "$port" -t "$test" -n "$requests" -c "$clients" -P "$pipeline" -q >/dev/null 2>&1
    # SIGTERM makes strace detach and write the summary (it then exits non-zero).
    kill -TERM "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
}

# per_request NAME -> "total top" : all syscalls per request, and the 5 most frequent
per_request() {
    python3 - "$work/$1.strace" "$requests" <<'PY'
import sys
path, requests = sys.argv[1], int(sys.argv[2])
calls = {}
for line in open(path):
    f = line.split()
    # "% time  seconds  usecs/call  calls  [errors]  syscall"; the errors column may be empty
    if len(f) in (5, 6) and f[3].isdigit():
        calls[f[-1]] = int(f[3])
total = calls.pop("total", sum(calls.values()))
top = sorted(calls.items(), key=lambda kv: -kv[1])[:5]
print("%.3f" % (total / requests), ", ".join("%s %.3f" % (k, v / requests) for k, v in top))
PY
}

start "$(command -v redis-server)"; redis_pid=$pid; redis_port=$port
start "$ours_bin"; ours_pid=$pid; ours_port=$port

printf '%-6s %3s %4s %9s %10s %10s %7s\n' test -P -c requests "redis/req" "ours/req" ratio
details=()
for test in ${tests//,/ }; do
    for pipeline in $pipelines; do
        traced "$redis_pid" "$redis_port" "$test" "$pipeline" redis
        traced "$ours_pid" "$ours_port" "$test" "$pipeline" ours
        read -r r r_top < <(per_request redis)
        read -r o o_top < <(per_request ours)
        printf '%-6s %3s %4s %9s %10s %10s %7s\n' "$test" "$pipeline" "$clients" "$requests" "$r" "$o" \
            "$(python3 -c "print('%.2f' % ($o / $r))")"
        details+=("$test -P $pipeline redis: $r_top" "$test -P $pipeline ours:  $o_top")
    done
done
echo
echo "most frequent syscalls per request:"
printf '  %s\n' "${details[@]}"
