#!/usr/bin/env bash
# Runs every test of the project. Installs the reference redis-server (Debian's
# redis-server and redis-tools packages) first when it is missing, since the
# differential tests compare our replies with real Redis 7.0, and the client libraries
# the real-application tests drive (tests/clients/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
    echo "installing the reference redis-server from Debian's packages..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
fi
redis-server --version
# The job queue and lock libraries tests/client_libraries.rs runs against both servers.
bash tests/clients/install.sh

cargo test --release --lib --bins --tests "$@"
