#!/usr/bin/env bash
# Build benchmarks, as ratios from interleaved runs against a baseline run side by side (numbers: docs/benchmarks.md).
#  1. no-op `dotnet build --no-restore` of a console app with MlEnv (image present) vs the same app without MlEnv;
#     goal <= 1.05x. A third variant consumes an empty MSBuild SDK package the same way (<Sdk Name Version>), which
#     separates what MlEnv's targets cost from what resolving any NuGet-delivered SDK costs. A fourth variant has a
#     typical environment (an apt package, three wheels, a python version, variables, a label); goal for MlEnv's own
#     cost (typical vs the empty SDK) <= 1.03x.
#  2. rebuild after changing one wheel: MlEnv's layered image vs a single-layer Dockerfile installing the same apt
#     packages and wheels in one RUN; goal <= 0.15x. The environment is a typical ML runtime's system layer
#     (MLENV_BENCH_APT, default: OpenMP, OpenBLAS, libGL, git) plus three private wheels.
#     With MLENV_BENCH_BASELINE_REV=<git revision>, the typical environment is also built with the SDK packed from that
#     revision, interleaved: the ratio says whether a change made the no-op build slower.
# Needs the engine and base image (eng/prepare-engine.sh). Usage: bench/build-benchmarks.sh [noop-runs] [rebuild-runs]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
noop_runs=${1:-10}
rebuild_runs=${2:-3}
base="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"
work=$(mktemp -d /tmp/mlenv-bench.XXXXXX)
export MLENV_HOME="$work/home"   # registrations go to a store that goes away with the run
run_label="org.mlenv-bench.run=$(basename "$work")"
cleanup() {
  docker images -q --filter "label=$run_label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  docker rmi -f mlenv-bench/single-layer >/dev/null 2>&1 || true
  if [ -d "$work-baseline-src" ]; then git worktree remove --force "$work-baseline-src" >/dev/null 2>&1 || rm -rf "$work-baseline-src"; fi
  rm -rf "$work"
}
trap cleanup EXIT

source bench/lib.sh
version="0.1.0-bench.$(date +%s)"
pack_sdk "$work" "$version"   # the console apps need the SDK's own packs only; the feed holds MlEnv.Sdk

wheel() { python3 eng/make-wheel.py "$1" "$2" 1.0 "VALUE = '$3'
" >/dev/null; }

# ---- 1. no-op build -------------------------------------------------------------------------------------------
mkdir -p "$work/nullsdk/Sdk"
echo '<Project />' >"$work/nullsdk/Sdk/Sdk.props"; echo '<Project />' >"$work/nullsdk/Sdk/Sdk.targets"
cat >"$work/nullsdk/NullSdk.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><PackageId>MlEnv.Bench.NullSdk</PackageId><Version>$version</Version>
    <PackageType>MSBuildSdk</PackageType><IncludeBuildOutput>false</IncludeBuildOutput><NoWarn>NU5128</NoWarn></PropertyGroup>
  <ItemGroup><None Include="Sdk/*" Pack="true" PackagePath="Sdk/" /></ItemGroup>
</Project>
XML
dotnet pack "$work/nullsdk/NullSdk.csproj" -o "$work/feed" -nologo -v:q >/dev/null
variants="with typical without null"
if [ -n "${MLENV_BENCH_BASELINE_REV:-}" ]; then
  # Beside the work folder, not in it: its nuget.config (the bench feed alone) would hide nuget.org from the restore.
  git worktree add --detach "$work-baseline-src" "$MLENV_BENCH_BASELINE_REV" >/dev/null 2>&1
  dotnet pack "$work-baseline-src/src/MlEnv.Sdk" -c Release -o "$work/feed" -p:Version="$version-baseline" -nologo -v:q >/dev/null
  variants="$variants baseline"
fi
for variant in $variants; do
  mkdir -p "$work/noop-$variant"
  cp "$work/nuget.config" "$work/noop-$variant/"
  echo 'System.Console.WriteLine("hi");' >"$work/noop-$variant/Program.cs"
  wheel "$work/noop-$variant/wheels" bench-lib a
done
cat >"$work/noop-with/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="MlEnv.Sdk" Version="$version" />
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>
    <MlEnvBaseImage>$base</MlEnvBaseImage><MlEnvRequireDocker>true</MlEnvRequireDocker></PropertyGroup>
  <ItemGroup><MlEnvPipWheel Include="wheels/*.whl" /><MlEnvLabel Include="org.mlenv-bench.run" Value="$(basename "$work")" /></ItemGroup>
</Project>
XML
for w in beta gamma; do wheel "$work/noop-typical/wheels" "bench-$w" a; done
cat >"$work/noop-typical/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="MlEnv.Sdk" Version="$version" />
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>
    <MlEnvBaseImage>$base</MlEnvBaseImage><MlEnvRequireDocker>true</MlEnvRequireDocker><MlEnvPythonVersion>3.11</MlEnvPythonVersion></PropertyGroup>
  <ItemGroup>
    <MlEnvAptPackage Include="libgomp1" />
    <MlEnvPipWheel Include="wheels/*.whl" />
    <MlEnvVariable Include="OMP_NUM_THREADS" Value="1" /><MlEnvVariable Include="MODEL_NAME" Value="bench" />
    <MlEnvLabel Include="org.mlenv-bench.run" Value="$(basename "$work")" />
  </ItemGroup>
</Project>
XML
if [ -d "$work/noop-baseline" ]; then
  cp "$work/noop-typical/wheels/"*.whl "$work/noop-baseline/wheels/"
  sed "s/Version=\"$version\"/Version=\"$version-baseline\"/" "$work/noop-typical/app.csproj" >"$work/noop-baseline/app.csproj"
fi
cat >"$work/noop-without/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
</Project>
XML
cat >"$work/noop-null/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="MlEnv.Bench.NullSdk" Version="$version" />
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
</Project>
XML
for variant in $variants; do (cd "$work/noop-$variant" && dotnet build -nologo -v:q >/dev/null); done
with=(); typical=(); without=(); null=(); baseline=()
for i in $(seq 1 "$noop_runs"); do
  for variant in $variants; do
    start=$(now)
    (cd "$work/noop-$variant" && dotnet build --no-restore -nologo -v:q >/dev/null)
    elapsed=$(( ($(now) - start) / 1000000 ))
    case $variant in with) with+=("$elapsed");; typical) typical+=("$elapsed");; baseline) baseline+=("$elapsed");; without) without+=("$elapsed");; null) null+=("$elapsed");; esac
  done
done
m_with=$(median "${with[@]}"); m_typical=$(median "${typical[@]}"); m_without=$(median "${without[@]}"); m_null=$(median "${null[@]}")
echo "no-op build: with MlEnv median ${m_with} ms, without ${m_without} ms, ratio $(ratio "$m_with" "$m_without")x (goal <= 1.05x; $noop_runs interleaved runs each)"
echo "no-op build: with an empty NuGet-resolved SDK median ${m_null} ms; MlEnv vs empty SDK $(ratio "$m_with" "$m_null")x, empty SDK vs none $(ratio "$m_null" "$m_without")x"
echo "no-op build: typical environment median ${m_typical} ms; vs empty SDK $(ratio "$m_typical" "$m_null")x (goal <= 1.03x), vs one-wheel environment $(ratio "$m_typical" "$m_with")x"
if [ ${#baseline[@]} -gt 0 ]; then
  m_baseline=$(median "${baseline[@]}")
  echo "no-op build: typical environment with the SDK of $MLENV_BENCH_BASELINE_REV median ${m_baseline} ms; this tree vs that one $(ratio "$m_typical" "$m_baseline")x, that one vs empty SDK $(ratio "$m_baseline" "$m_null")x"
fi

# ---- 2. rebuild after one wheel changes ----------------------------------------------------------------------------
[ "$rebuild_runs" -gt 0 ] || exit 0
mkdir -p "$work/layered" "$work/single"
cp "$work/nuget.config" "$work/layered/"
for w in alpha beta changing; do wheel "$work/layered/wheels" "$w" 0; wheel "$work/single/wheels" "$w" 0; done
env_project "$work/layered/layered.csproj" "$version" "$base" "$(basename "$work")"
cat >"$work/single/Dockerfile" <<DOCKER
FROM $base
COPY wheels/ /tmp/wheels/
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $apt_packages \
 && rm -rf /var/lib/apt/lists/* && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check /tmp/wheels/*.whl
LABEL $run_label
DOCKER
(cd "$work/layered" && dotnet build -nologo -v:q >/dev/null)
DOCKER_BUILDKIT=0 docker build -q -t mlenv-bench/single-layer "$work/single" >/dev/null
layered=(); single=()
for i in $(seq 1 "$rebuild_runs"); do
  wheel "$work/layered/wheels" changing "$i"; wheel "$work/single/wheels" changing "$i"
  start=$(now); (cd "$work/layered" && dotnet build --no-restore -nologo -v:q >/dev/null); layered+=($(( ($(now) - start) / 1000000 )))
  start=$(now); DOCKER_BUILDKIT=0 docker build -q -t mlenv-bench/single-layer "$work/single" >/dev/null; single+=($(( ($(now) - start) / 1000000 )))
done
m_layered=$(median "${layered[@]}"); m_single=$(median "${single[@]}")
echo "rebuild after one wheel change: MlEnv median ${m_layered} ms, single-layer Dockerfile ${m_single} ms, ratio $(ratio "$m_layered" "$m_single")x (goal <= 0.15x; $rebuild_runs interleaved runs each; apt: $apt_packages)"
