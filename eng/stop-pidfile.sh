#!/usr/bin/env bash
# Stops the process whose pid a start script wrote to PIDFILE (TERM, up to SECONDS to exit, then KILL), and removes
# the file. Nothing else: a process this repository did not start is never touched.
PIDFILE="$1"; SECONDS_TO_WAIT="${2:-30}"
[ -f "$PIDFILE" ] || exit 0
pid=$(cat "$PIDFILE")
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 "$SECONDS_TO_WAIT"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
kill -9 "$pid" 2>/dev/null || true
rm -f "$PIDFILE"
