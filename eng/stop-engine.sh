#!/usr/bin/env bash
# Stops the dockerd that eng/prepare-engine.sh started, and nothing else.
bash "$(dirname "$0")/stop-pidfile.sh" "${MLENV_DOCKERD_PIDFILE:-/tmp/mlenv-dockerd.pid}" 30
