#!/usr/bin/env bash
# Starts Podman's Docker-compatible API for the end-to-end subset marked [Trait("Engine", "Podman")]: installs
# Debian's podman, serves the API on $MLENV_PODMAN_SOCKET (default /run/mlenv-podman.sock) and copies the offline
# base image over from dockerd (eng/prepare-engine.sh makes it). Writes the service's pid for eng/stop-podman.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
SOCKET="${MLENV_PODMAN_SOCKET:-/run/mlenv-podman.sock}"
PIDFILE="${MLENV_PODMAN_PIDFILE:-/tmp/mlenv-podman.pid}"

if ! command -v podman >/dev/null; then
  echo "start-podman: installing podman"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null
fi

# Containers get ulimits no higher than this machine grants: podman's defaults (nofile and nproc far above the hard
# limits of a sandboxed root) make runc fail with "error setting rlimits".
conf=$(mktemp -d /tmp/mlenv-podman-conf.XXXXXX)/containers.conf
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; } && nproc=4096
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc" >"$conf"

rm -f "$SOCKET"
CONTAINERS_CONF="$conf" nohup podman system service --time=0 "unix://$SOCKET" >/tmp/mlenv-podman.log 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 30); do curl -sf --unix-socket "$SOCKET" http://podman/v1.41/_ping >/dev/null 2>&1 && break; sleep 1; done
curl -sf --unix-socket "$SOCKET" http://podman/v1.41/_ping >/dev/null || { echo "start-podman: the API did not answer"; tail -20 /tmp/mlenv-podman.log; exit 1; }

if ! podman image exists "$BASE_IMAGE"; then
  docker save "$BASE_IMAGE" | podman load >/dev/null
fi
echo "start-podman: Docker API of $(podman --version) on unix://$SOCKET, base image $BASE_IMAGE"
