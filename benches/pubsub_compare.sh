#!/usr/bin/env bash
# PUBLISH throughput side by side: real redis-server and rredis-server, same machine, same
# run, alternating. For 1, 10 and 100 subscribers of one channel, redis-benchmark sends
# `PUBLISH ch <payload>` while a drain process reads (and discards) every subscriber's
# socket. Prints throughput ratios (ours / redis) and p50/p99 latencies.
#
#   bash benches/pubsub_compare.sh [requests] [rounds]
#
# Not a pass/fail test: it reports numbers. Servers and drains are started here and
# stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
rounds=${2:-2}
clients=${CLIENTS:-50}
subscriber_counts=${SUBSCRIBERS:-1 10 100}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
pids+=("$!")
ours_port=$(free_port)
"$ours_bin" --port "$ours_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
pids+=("$!")
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
wait_up "$redis_port"; wait_up "$ours_port"

# drain PORT N: N subscriber sockets on channel `ch`, read and discarded in one process.
cat > "$work/drain.py" <<'PY'
import selectors, socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n")
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        try:
            if not key.fileobj.recv(1 << 20):
                sel.unregister(key.fileobj)
        except BlockingIOError:
            pass
PY

# bench PORT SUBSCRIBERS -> "rps p50 p99"
bench() {
    python3 "$work/drain.py" "$1" "$2" > "$work/drain.out" &
    local drain=$!; pids+=("$drain")
    for _ in $(seq 100); do grep -q ready "$work/drain.out" 2>/dev/null && break; sleep 0.05; done
    sleep 0.2
    redis-benchmark -p "$1" -n "$requests" -c "$clients" --csv PUBLISH ch hello-subscribers 2>/dev/null |
        python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
print(rows[1][1], rows[1][4], rows[1][6])'
    kill "$drain" 2>/dev/null || true
    wait "$drain" 2>/dev/null || true
}

printf '%-12s %12s %12s %7s %16s %16s\n' "subscribers" "redis rps" "ours rps" "ratio" "p50 redis/ours" "p99 redis/ours"
for n in $subscriber_counts; do
    sum_r=0; sum_o=0
    for round in $(seq "$rounds"); do
        read -r rps_r p50_r p99_r < <(bench "$redis_port" "$n")
        read -r rps_o p50_o p99_o < <(bench "$ours_port" "$n")
        sum_r=$(python3 -c "print($sum_r+$rps_r)"); sum_o=$(python3 -c "print($sum_o+$rps_o)")
    done
    printf '%-12s %12.0f %12.0f %7.2f %16s %16s\n' "$n" \
        "$(python3 -c "print($sum_r/$rounds)")" "$(python3 -c "print($sum_o/$rounds)")" \
        "$(python3 -c "print($sum_o/$sum_r)")" "$p50_r/$p50_o" "$p99_r/$p99_o"
done
