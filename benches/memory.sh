#!/usr/bin/env bash
# Memory side by side: loads the same data into redis-server and rredis-server (fresh,
# one dataset at a time) and prints each one's RSS growth and the ratio ours / redis.
#
#   bash benches/memory.sh [elements]        (default 1000000)
#   KINDS="zset" bash benches/memory.sh      (only some datasets)
#   SERVER_ARGS="--list-compress-depth 1" ...  (the same extra options for both servers)
#
# Datasets: N small string keys; one hash, one set, one list and one sorted set of N
# elements; and N/10 small sorted sets of 10 members each (`zsmall`, the listpack
# encoding); and a stream of N entries (`stream`: XADD with two fields each). Not a
# pass/fail test: it reports numbers (a dataset whose
# commands we do not implement yet shows as no growth).
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
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# commands KIND: RESP for the dataset on stdout.
commands() {
    python3 - "$1" "$count" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
batch = 100
for start in range(0, n, batch):
    ids = range(start, min(n, start + batch))
    if kind == "strings":
        for i in ids:
            cmd(b"SET", b"key:%012d" % i, b"xxx")
    elif kind == "hash":
        cmd(b"HSET", b"h", *[x for i in ids for x in (b"field:%d" % i, b"v%d" % i)])
    elif kind == "set":
        cmd(b"SADD", b"s", *[b"member:%d" % i for i in ids])
    elif kind == "list":
        cmd(b"RPUSH", b"l", *[b"element:%d" % i for i in ids])
    elif kind == "zset":
        cmd(b"ZADD", b"z", *[x for i in ids for x in (b"%d" % i, b"member:%d" % i)])
    elif kind == "stream":
        for i in ids:
            cmd(b"XADD", b"x", b"%d-1" % (i + 1), b"sensor", b"temp", b"value", b"%d" % i)
    elif kind == "zsmall":
        for k in range(start, min(n, start + batch), 10):
            cmd(b"ZADD", b"zs:%d" % k,
                *[x for i in range(k, min(n, k + 10)) for x in (b"%d.5" % i, b"member:%d" % i)])
PY
}

measure() { # binary kind -> RSS growth in kB
    local port pid before after
    port=$(free_port)
    if [ "$1" = redis ]; then
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
            ${SERVER_ARGS:-} >/dev/null 2>&1 & pid=$!
    else
        "$ours_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
            ${SERVER_ARGS:-} >/dev/null 2>&1 & pid=$!
    fi
    pids+=("$pid")
    wait_up "$port"
    before=$(rss_kb "$pid")
    commands "$2" | redis-cli -p "$port" --pipe >/dev/null 2>&1
    after=$(rss_kb "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo $((after - before))
}

printf '%-8s %14s %14s %7s\n' dataset "redis +kB" "ours +kB" ratio
for kind in ${KINDS:-strings hash set list zset zsmall stream}; do
    r=$(measure redis "$kind"); o=$(measure ours "$kind")
    printf '%-8s %14s %14s %7s\n' "$kind" "$r" "$o" "$(python3 -c "print(round($o/max($r,1), 2))")"
done
