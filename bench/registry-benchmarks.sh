#!/usr/bin/env bash
# Registry as a fleet's cache: machine B's `dotnet build` when the image is in the registry (pull) vs building it
# (no layer cache), interleaved; plus what was pushed and pulled. Numbers: docs/benchmarks.md.
# Needs the engine, base image and docker-registry (eng/prepare-engine.sh). Usage: bench/registry-benchmarks.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
base="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
work=$(mktemp -d /tmp/mlenv-regbench.XXXXXX)
export MLENV_HOME="$work/home"   # registrations go to a store that goes away with the run
label="org.mlenv-bench.run=$(basename "$work")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry="127.0.0.1:$port"
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/registry-data
http:
  addr: $registry
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
cleanup() {
  kill "$registry_pid" 2>/dev/null || true
  docker images -q --filter "label=$label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 50); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.1; done

source bench/lib.sh
version="0.1.0-regbench.$(date +%s)"
pack_sdk "$work" "$version"
mkdir -p "$work/p"
cp "$work/nuget.config" "$work/p/"
for w in alpha beta gamma; do python3 eng/make-wheel.py "$work/p/wheels" "$w" 1.0 >/dev/null; done
env_project "$work/p/p.csproj" "$version" "$base" "$(basename "$work")" "<MlEnvRegistry>$registry</MlEnvRegistry><MlEnvName>regbench</MlEnvName>"
drop_local() {
  docker images -q --filter "label=$label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -f "$work/p/obj/Debug/mlenv/image.json"
}

(cd "$work/p" && dotnet publish -nologo -v:q >/dev/null)   # machine A: build and push
pushed=$(du -sb "$work/registry-data" | cut -f1)
image_size=$(docker image inspect --format '{{.Size}}' "mlenv/regbench:$(head -c 12 "$work/p/obj/Debug/mlenv/definition.sha256")")
base_size=$(docker image inspect --format '{{.Size}}' "$base")

pull=(); build=()
for i in $(seq 1 "$runs"); do
  drop_local
  start=$(now); (cd "$work/p" && dotnet build --no-restore -nologo -v:q >/dev/null); pull+=($(( ($(now) - start) / 1000000 )))
  grep -q '"pulledFrom": "' "$work/p/obj/Debug/mlenv/mlenv.json" || { echo "expected a pull"; exit 1; }
  drop_local
  start=$(now); (cd "$work/p" && dotnet build --no-restore -nologo -v:q -p:MlEnvRegistry= -p:MlEnvRefresh=true >/dev/null); build+=($(( ($(now) - start) / 1000000 )))
done
m_pull=$(median "${pull[@]}"); m_build=$(median "${build[@]}")
echo "machine B build: pulled from the registry median ${m_pull} ms, built without cache ${m_build} ms, ratio $(ratio "$m_pull" "$m_build")x ($runs interleaved runs each; apt: $apt_packages)"
echo "sizes: registry storage after the push $((pushed / 1024)) KiB (compressed); image $((image_size / 1024)) KiB, of which the base image $((base_size / 1024)) KiB is not pulled again"
