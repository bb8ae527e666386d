#!/usr/bin/env bash
# Redis for CI, from Debian's packages. The tests never use a system-wide service: each Redis test
# starts its own `redis-server --bind 127.0.0.1 --port FREE --save '' --dir TMP` (tests/redis_server.py)
# and stops it. This script only makes sure the binary is there and nothing else listens.
#
#   .ci/redis.sh install   apt-get install redis-server (as root), stop the service Debian starts
#   .ci/redis.sh start     a throwaway server on 127.0.0.1:${NEWSPIPE_CI_REDIS_PORT:-6390}, for
#                          trying workers by hand (prints its redis:// URL)
#   .ci/redis.sh stop      stop that server
set -euo pipefail
port="${NEWSPIPE_CI_REDIS_PORT:-6390}"
dir="${TMPDIR:-/tmp}/newspipe-ci-redis"

case "${1:-install}" in
install)
    if ! command -v redis-server >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    # Debian starts a service on install; the tests use their own servers on free ports.
    (service redis-server stop || true) >/dev/null 2>&1
    redis-server --version
    ;;
start)
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null
    echo "redis://127.0.0.1:$port/0"
    ;;
stop)
    if [ -f "$dir/redis.pid" ]; then
        kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
        rm -f "$dir/redis.pid"
    fi
    ;;
*)
    echo "usage: $0 install|start|stop" >&2
    exit 2
    ;;
esac
