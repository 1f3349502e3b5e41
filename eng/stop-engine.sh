#!/usr/bin/env bash
# Stops the dockerd that eng/prepare-engine.sh started, and nothing else.
PIDFILE="${MLENV_DOCKERD_PIDFILE:-/tmp/mlenv-dockerd.pid}"
[ -f "$PIDFILE" ] || exit 0
pid=$(cat "$PIDFILE")
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -9 "$pid" 2>/dev/null || true
rm -f "$PIDFILE"
