#!/usr/bin/env bash
# Installs the client libraries tests/client_libraries.rs drives, at pinned versions,
# into target/client-libs/ (nothing outside the project): a Python virtual environment
# with redis-py, rq and Celery, and node_modules with BullMQ and ioredis. Installs
# Debian's python3-venv, nodejs and npm first when they are missing. Does nothing when
# the pinned versions are already there.
#
# redis-py stays at 6.x: with 8.x, rq 2's worker can hang on exit, joining its pub/sub
# thread, against redis-server as against ours.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=target/client-libs
python_pins=(redis==6.4.0 rq==2.6.0 celery==5.5.3)
node_pins=(bullmq@6.7.6 ioredis@6.1.0)
stamp="$dest/installed-${python_pins[*]// /_}-${node_pins[*]// /_}"
stamp=${stamp// /_}
[ -e "$stamp" ] && exit 0

need=()
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
    echo "installing ${need[*]} from Debian's packages..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A registry that fails once (a dropped connection) is asked again.
retry() { "$@" || { sleep 5; "$@"; } || { sleep 20; "$@"; }; }

echo "installing the client libraries into $dest: ${python_pins[*]} ${node_pins[*]}"
rm -rf "$dest"
mkdir -p "$dest/node"
python3 -m venv "$dest/venv"
retry "$dest/venv/bin/pip" install -q --disable-pip-version-check "${python_pins[@]}"
retry npm install --silent --no-audit --no-fund --prefix "$dest/node" "${node_pins[@]}" >/dev/null
touch "$stamp"
