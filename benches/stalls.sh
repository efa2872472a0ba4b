#!/usr/bin/env bash
# Stalls side by side: while a latency probe keeps PINGing a server, one expensive thing
# happens on it, and the probe's p99 and slowest request are reported for redis-server
# and rredis-server in turn (a fresh server for each scenario):
#   baseline  nothing happens (the machine's own noise floor, for reading the rest)
#   unlink    UNLINK of a set of 10,000,000 members
#   rehash    the keyspace grows from 10,000,000 keys (DEBUG POPULATE, before the probe)
#             to 20,000,000 by pipelined SETs under the probe, crossing a doubling of
#             the table in either server
#   expiry    1,000,000 keys (EXPIRE_KEYS, not scaled) set with the same PXAT deadline
#             expire under the probe, until DBSIZE (which counts keys not yet reclaimed)
#             is 0
#   flushall  FLUSHALL ASYNC of 10,000,000 keys (DEBUG POPULATE)
#   randpicks SRANDMEMBER of a 3-member set with a count of -500,000,000 (3.5 GB of
#             reply), read to its end by one client: redis-server builds the whole reply
#             before writing it; ours produces it as the client reads
# The sizes of unlink, rehash, flushall and randpicks are scaled by STALL_SCALE (default 0.1, so a
# set of 1,000,000 members), which keeps a run to a couple of minutes. Data is loaded
# before the probe starts; DEBUG POPULATE is not run under the probe because it blocks
# either server for its whole run (it would measure itself, not the table's growth).
#
#   bash benches/stalls.sh
#   STALL_SCALE=1 EXPIRE_KEYS=1000000 STALL_CLIENTS=10 bash benches/stalls.sh
#   STALL_SCENARIOS="baseline expiry" bash benches/stalls.sh
#
# The probe is a small Python client on STALL_CLIENTS connections (10), each with one
# PING in flight, recording every request's latency until it is stopped: redis-benchmark
# can only run a fixed number of requests and prints nothing when stopped, so it cannot
# cover an event of unknown length. The probe runs 1 s before the event and 1 s after
# it is over: its commands done and the server's background threads idle for 300 ms (the
# lazy free finished; lazyfree_pending_objects is checked once the probe is off, since
# INFO is not sent while it runs). Nothing else is sent to the server during the probe
# but the event's own commands and DBSIZE polls for expiry. Servers are not pinned to a
# CPU, so that their background freeing threads run beside the main thread, as they
# would on a real machine.
#
# Prints "scenario size redis-p99 redis-max ours-p99 ours-max redis-s ours-s
# redis-requests ours-requests" rows (latencies in ms; -s: how long the event took).
# Not a pass/fail test: it reports numbers. Servers are started on free loopback ports
# and stopped by the pids this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${STALL_SCALE:-0.1}
scaled() { python3 -c "print(int($1 * $scale))"; }
set_members=$(scaled 10000000)
grow_from=$(scaled 10000000)
grow_to=$(scaled 20000000)
flush_keys=$(scaled 10000000)
pick_count=$(scaled 500000000)
expire_keys=${EXPIRE_KEYS:-1000000}
probe_clients=${STALL_CLIENTS:-10}

[ -n "${OURS_BIN:-}" ] || cargo build --release --quiet
ours_bin=${OURS_BIN:-target/release/rredis-server}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'; }
now_ns() { date +%s%N; }
die() { echo "stalls.sh: $*" >&2; exit 1; }

# expect PORT WANT COMMAND... : runs COMMAND and stops unless the reply is WANT
expect() {
    local port=$1 want=$2 got; shift 2
    got=$(redis-cli -p "$port" "$@")
    [ "$got" = "$want" ] || die "$* on port $port replied '$got', not '$want'"
}

# wait_until SECONDS COMMAND... : polls COMMAND every 20 ms until it succeeds
wait_until() {
    local limit=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -lt "$limit" ] || die "timed out waiting for: $*"
        sleep 0.02
    done
}
dbsize_is() { [ "$(redis-cli -p "$1" dbsize)" = "$2" ]; }

# background.py PID [SINCE]: the CPU time (ns) of the server's background threads; with
# SINCE (an earlier such figure), waits until they have used none for 300 ms (a lazy
# free is over) and prints when they last ran: the time in ns, or 0 if not since SINCE.
# It reads /proc rather than polling INFO's lazyfree_pending_objects, because an INFO
# under the probe is a command of its own with its own cost (in rredis an INFO right
# after a big free takes hundreds of ms). The main thread is left out (the probe keeps it
# busy), and so is jemalloc's page-purging thread in redis, which runs on its own
# 10-second decay schedule after any big free.
cat >"$work/background.py" <<'PY'
import os, sys, time
pid = sys.argv[1]
def background_ns():
    total = 0
    for tid in os.listdir("/proc/%s/task" % pid):
        try:
            if tid == pid or open("/proc/%s/task/%s/comm" % (pid, tid)).read().strip() == "jemalloc_bg_thd":
                continue
            total += int(open("/proc/%s/task/%s/schedstat" % (pid, tid)).read().split()[0])
        except OSError:                          # the thread exited meanwhile
            pass
    return total
if len(sys.argv) == 2:
    sys.exit(print(background_ns()))
last, last_ran, quiet_since, start = int(sys.argv[2]), 0, time.time_ns(), time.time()
while time.time_ns() - quiet_since < 300e6 and time.time() - start < 600:
    now = background_ns()
    if now != last:
        last, quiet_since = now, time.time_ns()
        last_ran = quiet_since
    time.sleep(0.02)
print(last_ran)
PY

# resp KIND COUNT -> the path of a file of generated commands (made once, for both servers):
#   sadd: SADD bigset member:N ..., 1000 members a command, COUNT members in all
#   grow: SET grow:N xxx             expiry: SET exp:N xxx PXAT 9999999999999 (replaced
#   by the real deadline on the way in: its moment is only known once the server is up)
resp() {
    local file=$work/$1-$2.resp
    [ -s "$file" ] || python3 - "$1" "$2" >"$file" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
if kind == "sadd":
    for start in range(0, n, 1000):
        cmd(b"SADD", b"bigset", *[b"member:%d" % i for i in range(start, min(n, start + 1000))])
elif kind == "grow":
    for i in range(n):
        cmd(b"SET", b"grow:%d" % i, b"xxx")
elif kind == "expiry":
    for i in range(n):
        cmd(b"SET", b"exp:%d" % i, b"xxx", b"PXAT", b"9999999999999")
PY
    echo "$file"
}

# pipe_in PORT COMMANDS < RESP : redis-cli --pipe, and stops unless all COMMANDS replied
# without an error.
pipe_in() {
    local replies; replies=$(redis-cli -p "$1" --pipe 2>&1 | tail -1)
    [ "$replies" = "errors: 0, replies: $2" ] || die "pipe into port $1: $replies"
}

# The probe: prints "requests p99-ms max-ms" when sent SIGTERM.
cat >"$work/probe.py" <<'PY'
import selectors, signal, socket, sys, time
port, conns, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
PING, sel, sent, buf, lat = b"*1\r\n$4\r\nPING\r\n", selectors.DefaultSelector(), {}, {}, []
for _ in range(conns):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sel.register(s, selectors.EVENT_READ)
    buf[s], sent[s] = b"", time.perf_counter_ns()
    s.sendall(PING)
open(ready, "w").close()
while not stop:
    for key, _ in sel.select(timeout=0.1):
        s = key.fileobj
        data = s.recv(4096)
        if not data:
            sys.exit("probe: the server closed the connection")
        buf[s] += data
        if buf[s].endswith(b"\r\n"):             # one "+PONG\r\n" per request in flight
            now = time.perf_counter_ns()
            lat.append(now - sent[s])
            buf[s], sent[s] = b"", now
            s.sendall(PING)
lat.sort()
print(len(lat), "%.3f" % (lat[int(len(lat) * 0.99)] / 1e6), "%.3f" % (lat[-1] / 1e6))
PY

# Each scenario is a prepare_* function (before the probe) and an event_* function
# (under the probe, returns once the commands are done); both take the port. The probe
# then runs on until the background threads are quiet, and one more second.
prepare_baseline() { :; }
event_baseline() { sleep 2; }

prepare_unlink() {
    pipe_in "$1" $(((set_members + 999) / 1000)) <"$(resp sadd "$set_members")"
    expect "$1" "$set_members" scard bigset
}
event_unlink() { expect "$1" 1 unlink bigset; }

prepare_rehash() {
    expect "$1" OK debug populate "$grow_from"; expect "$1" "$grow_from" dbsize
    resp grow $((grow_to - grow_from)) >/dev/null       # generated before the probe starts
}
event_rehash() {
    pipe_in "$1" $((grow_to - grow_from)) <"$(resp grow $((grow_to - grow_from)))"
    expect "$1" "$grow_to" dbsize
}

# The deadline must leave time to load the keys and start the probe (1.5 s); how long
# loading takes depends on the machine, so a first guess of 100,000 keys a second is
# doubled until the keys are in with the time to spare (FLUSHALL in between).
prepare_expiry() {
    local file guess_ms=$((expire_keys / 100))
    file=$(resp expiry "$expire_keys")
    for _ in 1 2 3 4; do
        deadline_ms=$(( $(now_ns) / 1000000 + 1500 + guess_ms ))
        sed "s/9999999999999/$deadline_ms/" "$file" | pipe_in "$1" "$expire_keys"
        if [ $(( $(now_ns) / 1000000 + 1500 )) -lt "$deadline_ms" ]; then
            expect "$1" "$expire_keys" dbsize; return
        fi
        expect "$1" OK flushall; guess_ms=$((guess_ms * 2))
    done
    die "could not load $expire_keys expiring keys ahead of their deadline"
}
event_expiry() {
    sleep "$(python3 -c "print(max(0, ($deadline_ms - $(now_ns) / 1e6) / 1e3))")"
    event_start=$((deadline_ms * 1000000))   # the event starts at the deadline, not now
    wait_until 300 dbsize_is "$1" 0            # DBSIZE counts keys not yet reclaimed
}

# The reader: sends SRANDMEMBER s -COUNT and reads the reply (members of one byte, so
# 7 bytes each) to its end.
cat >"$work/picks.py" <<'PY'
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"*3\r\n$11\r\nSRANDMEMBER\r\n$1\r\ns\r\n$%d\r\n-%d\r\n" % (len(str(count)) + 1, count))
left = len(b"*%d\r\n" % count) + 7 * count
while left > 0:
    data = s.recv(1 << 20)
    if not data:
        sys.exit("picks: the server closed the connection")
    left -= len(data)
PY
prepare_randpicks() { expect "$1" 3 sadd s a b c; }
event_randpicks() { python3 "$work/picks.py" "$1" "$pick_count"; }

prepare_flushall() { expect "$1" OK debug populate "$flush_keys"; expect "$1" "$flush_keys" dbsize; }
event_flushall() { expect "$1" OK flushall async; expect "$1" 0 dbsize; }

# run_scenario NAME BIN -> sets $result to "requests p99 max event-seconds". It runs in
# this shell, not in a $(...), so that the pids it starts reach the cleanup trap.
run_scenario() {
    local port pid probe_pid background returned quiet took pending
    port=$(free_port)
    "$2" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
        --enable-debug-command yes >/dev/null 2>&1 &
    pid=$!; pids+=("$pid")
    wait_up "$port"
    "prepare_$1" "$port"
    rm -f "$work/ready"
    python3 "$work/probe.py" "$port" "$probe_clients" "$work/ready" >"$work/probe.out" &
    probe_pid=$!; pids+=("$probe_pid")
    wait_until 10 test -e "$work/ready"
    sleep 1
    background=$(python3 "$work/background.py" "$pid")
    event_start=$(now_ns)
    "event_$1" "$port"
    returned=$(now_ns); quiet=$(python3 "$work/background.py" "$pid" "$background")
    took=$(( (quiet > returned ? quiet : returned) - event_start ))
    sleep 1
    kill -TERM "$probe_pid"; wait "$probe_pid" || die "the probe failed on $1"
    # Checked once the probe is off: the free it was meant to cover did finish under it.
    pending=$(field "$port" memory lazyfree_pending_objects)
    [ "$pending" = 0 ] || notes+=("$1, $(basename "$2"): lazyfree_pending_objects was $pending after the probe")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    result="$(cat "$work/probe.out") $(python3 -c "print('%.2f' % ($took / 1e9))")"
}

printf 'probe: %s connections, PING; sizes scaled by STALL_SCALE=%s of the issue'"'"'s:\n' "$probe_clients" "$scale"
printf '  unlink: set of %s members; rehash: %s -> %s keys; expiry: %s keys; flushall: %s keys; randpicks: %s\n' \
    "$set_members" "$grow_from" "$grow_to" "$expire_keys" "$flush_keys" "$pick_count"
printf '%-9s %9s %9s %9s %9s %9s %8s %8s %9s %9s\n' scenario size "redis p99" "redis max" \
    "ours p99" "ours max" "redis s" "ours s" "redis req" "ours req"
notes=()
for scenario in ${STALL_SCENARIOS:-baseline unlink rehash expiry flushall randpicks}; do
    case $scenario in
        baseline) size=0 ;; unlink) size=$set_members ;; rehash) size=$grow_to ;;
        expiry) size=$expire_keys ;; flushall) size=$flush_keys ;; randpicks) size=$pick_count ;;
        *) die "unknown scenario $scenario" ;;
    esac
    run_scenario "$scenario" "$(command -v redis-server)"; read -r r_req r_p99 r_max r_s <<<"$result"
    run_scenario "$scenario" "$ours_bin"; read -r o_req o_p99 o_max o_s <<<"$result"
    printf '%-9s %9s %9s %9s %9s %9s %8s %8s %9s %9s\n' "$scenario" "$size" "$r_p99" "$r_max" \
        "$o_p99" "$o_max" "$r_s" "$o_s" "$r_req" "$o_req"
done
[ ${#notes[@]} = 0 ] || printf 'note: %s\n' "${notes[@]}"
