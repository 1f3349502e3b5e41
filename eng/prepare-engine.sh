#!/usr/bin/env bash
# Prepares a machine for MlEnv's Docker tests: installs the engine and the tools the tests use,
# starts dockerd when none answers, and makes the offline base image(s) the tests build FROM.
# Writes the pid of a dockerd it started to $MLENV_DOCKERD_PIDFILE (default /tmp/mlenv-dockerd.pid)
# so that eng/stop-engine.sh stops only what this script started.
set -euo pipefail

BASE_IMAGE="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
PIDFILE="${MLENV_DOCKERD_PIDFILE:-/tmp/mlenv-dockerd.pid}"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -f /usr/lib/python3/dist-packages/packaging/version.py ] || need+=(python3-packaging)
# pip's own requirements-file reader is the oracle of the round-trip tests.
/usr/bin/python3 -c 'import pip._internal.req.req_file' >/dev/null 2>&1 || need+=(python3-pip)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v socat >/dev/null || need+=(socat)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "prepare-engine: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker version >/dev/null 2>&1; then
  # A daemon killed at the end of an earlier session leaves its pid file behind and a new one refuses to start.
  if [ -f /var/run/docker.pid ] && ! pgrep -x dockerd >/dev/null; then rm -f /var/run/docker.pid; fi
  echo "prepare-engine: starting dockerd"
  nohup dockerd >/tmp/mlenv-dockerd.log 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 1; done
  docker version >/dev/null 2>&1 || { echo "prepare-engine: dockerd did not answer"; tail -20 /tmp/mlenv-dockerd.log; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "prepare-engine: making offline base image $BASE_IMAGE (debootstrap)"
  dir=$(mktemp -d /tmp/mlenv-rootfs.XXXXXX)
  debootstrap --variant=minbase --include=python3,python3-pip,python3-venv bookworm "$dir" >/tmp/mlenv-debootstrap.log 2>&1 \
    || { tail -20 /tmp/mlenv-debootstrap.log; rm -rf "$dir"; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$dir"
fi
echo "prepare-engine: engine ready, base image $BASE_IMAGE"
