#!/usr/bin/env bash
# Redis's own TCL suite (../shared/redis-tests/suite, Redis 7.0.15) in the mode where
# its harness starts the servers itself: the units the external-server runner cannot
# reach (integration/aof*, rdb, replication*, psync2*, unit/aofrw, acl, shutdown,
# info, networking ...). The suite is copied to a scratch directory whose src/ holds
# our binary as `redis-server` (a copy, so rebuilding does not disturb a run) and the
# system's redis-cli, redis-benchmark, redis-check-aof and redis-check-rdb; each unit
# then runs alone, so an exception costs one unit. A development tool, like the
# external runner: `bash tests/run-all.sh` does not depend on it.
#
#   bash tests/redis_suite_servers.sh                     # every unit of the suite
#   bash tests/redis_suite_servers.sh unit/aofrw integration/aof-multi-part
#   SUITE_BASEPORT=25111 bash tests/redis_suite_servers.sh unit/info
#
# Prints "unit passed=N failed=M" per unit (failed counts [err] and [exception] lines)
# and keeps every unit's log in the directory named at the start. Needs tclsh and the
# redis-tools binaries (apt-get install tcl redis-tools). Cluster units fail by design:
# cluster mode is not implemented.
set -euo pipefail
cd "$(dirname "$0")/.."
suite_src=${REDIS_SUITE_DIR:-../shared/redis-tests/suite}
[ -d "$suite_src/tests" ] || { echo "no suite at $suite_src" >&2; exit 2; }
cargo build --release --quiet
work=$(mktemp -d -t redis-suite-servers.XXXXXX)
cp -r "$suite_src/." "$work/suite"
mkdir -p "$work/suite/src" "$work/logs"
cp target/release/rredis-server "$work/suite/src/redis-server"
for tool in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
    ln -s "$(command -v "$tool")" "$work/suite/src/$tool"
done
if [ $# -gt 0 ]; then
    units=("$@")
else
    mapfile -t units < <(sed -n '/set ::all_tests {/,/}/p' "$work/suite/tests/test_helper.tcl" |
        grep -v '[{}]' | awk 'NF { print $1 }')
fi
echo "logs: $work/logs"
cd "$work/suite"
for unit in "${units[@]}"; do
    log="$work/logs/$(echo "$unit" | tr / _).log"
    # The one test the external runner skips too: it needs DEBUG HTSTATS-KEY.
    timeout 900 ./runtest --single "$unit" --clients 1 --timeout 180 \
        --baseport "${SUITE_BASEPORT:-21111}" \
        --skiptest "SRANDMEMBER with a dict containing long chain" >"$log" 2>&1 || true
    passed=$(grep -c '\[.*ok.*\]:' "$log" || true)
    failed=$(grep -cE '^\[.*(err|exception).*\]' "$log" || true)
    echo "$unit passed=$passed failed=$failed"
done
