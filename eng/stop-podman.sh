#!/usr/bin/env bash
# Stops the Podman API service that eng/start-podman.sh started, and nothing else.
bash "$(dirname "$0")/stop-pidfile.sh" "${MLENV_PODMAN_PIDFILE:-/tmp/mlenv-podman.pid}" 15
rm -f "${MLENV_PODMAN_SOCKET:-/run/mlenv-podman.sock}"
