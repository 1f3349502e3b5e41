#!/usr/bin/env bash
# A scoring service image with a large model (default 2.5 GiB, a sparse file) publishes, and the build's peak memory
# stays far below the model size: the context tar streams to the engine through a pipe and the model is hashed in
# chunks. Measures the max RSS of `dotnet publish` (one in-process MSBuild node) with /usr/bin/time -v, against the
# same publish with a 1-byte model. Numbers: docs/benchmarks.md.
# Needs the engine and base image (eng/prepare-engine.sh) and ~2x the model size free on the engine's disk.
# Usage: bench/large-model-benchmark.sh [model-MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
model_mib=${1:-2560}
base="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
work=$(mktemp -d /tmp/mlenv-modelbench.XXXXXX)
export MLENV_HOME="$work/home"
label="org.mlenv-bench.run=$(basename "$work")"
cleanup() {
  docker images -q --filter "label=$label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

source bench/lib.sh
version="0.1.0-modelbench.$(date +%s)"
pack_sdk "$work" "$version"

project() { # DIR MODEL_BYTES
  mkdir -p "$1/model"
  cp "$work/nuget.config" "$1/"
  printf 'def init():\n    pass\n\ndef run(raw):\n    return {}\n' >"$1/score.py"
  truncate -s "$2" "$1/model/weights.bin"
  printf 'tail' | dd of="$1/model/weights.bin" bs=1 seek=$(( $2 - 4 )) conv=notrunc status=none
  cat >"$1/p.csproj" <<XML
<Project Sdk="MlEnv.Sdk/$version">
  <PropertyGroup>
    <MlEnvBaseImage>$base</MlEnvBaseImage><MlEnvRequireDocker>true</MlEnvRequireDocker>
    <MlEnvName>modelbench</MlEnvName><MlEnvScoringScript>score.py</MlEnvScoringScript>
  </PropertyGroup>
  <ItemGroup>
    <MlEnvModel Include="model" />
    <MlEnvLabel Include="org.mlenv-bench.run" Value="$(basename "$work")" />
  </ItemGroup>
</Project>
XML
}

publish() { # DIR -> "max_rss_kib elapsed_ms"
  local start; start=$(now)
  (cd "$1" && /usr/bin/time -v -o "$1/time.txt" dotnet publish -nologo -v:q -m:1 -nodeReuse:false >"$1/publish.log" 2>&1) \
    || { cat "$1/publish.log"; exit 1; }
  echo "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$1/time.txt") $(( ($(now) - start) / 1000000 ))"
}

bytes=$(( model_mib * 1024 * 1024 ))
project "$work/small" 4096
project "$work/large" "$bytes"
(cd "$work/small" && dotnet restore -nologo -v:q >/dev/null)
(cd "$work/large" && dotnet restore -nologo -v:q >/dev/null)
publish "$work/small" >/dev/null   # builds the environment image both projects use
# Without its service image, the small project's publish does the same work as the large one's: a service build.
docker rmi -f "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serviceImage"])' "$work/small/bin/Debug/publish/mlenv.json")" >/dev/null
read -r small_rss small_ms < <(publish "$work/small")
read -r large_rss large_ms < <(publish "$work/large")

service=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serviceImage"])' "$work/large/bin/Debug/publish/mlenv.json")
in_image=$(docker run --rm --label "$label" "$service" python -c \
  "import os; p = os.path.join(os.environ['MLENV_MODEL_DIR'], 'model', 'weights.bin'); f = open(p, 'rb'); f.seek(-4, 2); print(os.path.getsize(p), f.read().decode())")
[ "$in_image" = "$bytes tail" ] || { echo "the model did not arrive whole: $in_image"; exit 1; }

echo "model: $model_mib MiB ($bytes bytes), in the image whole"
echo "dotnet publish max RSS: large model $(( large_rss / 1024 )) MiB (${large_ms} ms); 4 KiB model $(( small_rss / 1024 )) MiB (${small_ms} ms)"
echo "peak memory / model size: $(ratio "$large_rss" "$(( bytes / 1024 ))")"
