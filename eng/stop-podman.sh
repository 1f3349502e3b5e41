#!/usr/bin/env bash
# Stops the Podman API service that eng/start-podman.sh started, and nothing else.
PIDFILE="${MLENV_PODMAN_PIDFILE:-/tmp/mlenv-podman.pid}"
[ -f "$PIDFILE" ] || exit 0
pid=$(cat "$PIDFILE")
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 15); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -9 "$pid" 2>/dev/null || true
rm -f "$PIDFILE" "${MLENV_PODMAN_SOCKET:-/run/mlenv-podman.sock}"
