#!/usr/bin/env bash
# No-op build through a remote engine over TLS vs the local socket (numbers: docs/benchmarks.md). The "remote" engine
# is this machine's, behind socat terminating TLS with client verification on 127.0.0.1 (certificates made with
# openssl), as in the end-to-end tests; so the ratio is what TLS and TCP add, not a network's latency.
# Needs the engine, base image, socat and openssl (eng/prepare-engine.sh). Usage: bench/tls-engine-benchmark.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
base="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
work=$(mktemp -d /tmp/mlenv-bench-tls.XXXXXX)
export MLENV_HOME="$work/home"
run_label="org.mlenv-bench.run=$(basename "$work")"
socat_pid=
cleanup() {
  [ -n "$socat_pid" ] && kill "$socat_pid" 2>/dev/null || true
  docker images -q --filter "label=$run_label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

source bench/lib.sh
version="0.1.0-bench.$(date +%s)"
pack_sdk "$work" "$version"

certs="$work/certs"; mkdir -p "$certs/client"
(
  cd "$certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
  printf 'extendedKeyUsage=clientAuth\n' >client.ext
  for who in server client; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$who-key.pem" -out "$who.csr" 2>/dev/null
    openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile "$who.ext" -out "$who-cert.pem" 2>/dev/null
  done
  cp ca.pem client/ca.pem; cp client-cert.pem client/cert.pem; cp client-key.pem client/key.pem
)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,cert=$certs/server-cert.pem,key=$certs/server-key.pem,cafile=$certs/ca.pem,verify=1" \
  UNIX-CONNECT:/var/run/docker.sock &
socat_pid=$!
sleep 1

mkdir -p "$work/app"
cp "$work/nuget.config" "$work/app/"
python3 eng/make-wheel.py "$work/app/wheels" bench-lib 1.0 "VALUE = 'a'
" >/dev/null
cat >"$work/app/app.csproj" <<XML
<Project Sdk="MlEnv.Sdk/$version">
  <PropertyGroup><MlEnvBaseImage>$base</MlEnvBaseImage><MlEnvRequireDocker>true</MlEnvRequireDocker></PropertyGroup>
  <ItemGroup><MlEnvPipWheel Include="wheels/*.whl" /><MlEnvLabel Include="org.mlenv-bench.run" Value="$(basename "$work")" /></ItemGroup>
</Project>
XML
(cd "$work/app" && dotnet build -nologo -v:q >/dev/null)
tls_env=(env DOCKER_HOST="tcp://127.0.0.1:$port" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$certs/client")
# Both variants must be real no-op builds: the probe answers "up to date" through either path.
(cd "$work/app" && "${tls_env[@]}" dotnet build --no-restore -nologo -v:n | grep -q "is up to date") || { echo "the TLS no-op build was not a no-op"; exit 1; }
local_ms=(); tls_ms=()
for i in $(seq 1 "$runs"); do
  start=$(now); (cd "$work/app" && dotnet build --no-restore -nologo -v:q >/dev/null); local_ms+=($(( ($(now) - start) / 1000000 )))
  start=$(now); (cd "$work/app" && "${tls_env[@]}" dotnet build --no-restore -nologo -v:q >/dev/null); tls_ms+=($(( ($(now) - start) / 1000000 )))
done
m_local=$(median "${local_ms[@]}"); m_tls=$(median "${tls_ms[@]}")
echo "no-op build: through TLS median ${m_tls} ms, local socket ${m_local} ms, ratio $(ratio "$m_tls" "$m_local")x ($runs interleaved runs each)"
