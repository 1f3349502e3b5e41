#!/usr/bin/env bash
# The main job, end to end on a fresh machine: prepare the engine, pack MlEnv.Sdk, build samples/QuickStart with
# `dotnet build`, then run a one-liner in the image that imports the sample's packages.
#
# This machine cannot pull from Docker Hub, so the sample is built FROM the offline-made Debian image that
# eng/prepare-engine.sh creates (python 3.11): -p:MlEnvBaseImage overrides the pinned python:3.11 default.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash eng/prepare-engine.sh
base="${MLENV_TEST_BASE_IMAGE:-mlenv-test/bookworm-python:1}"

rm -rf artifacts/feed artifacts/sample-packages
dotnet pack src/MlEnv.Sdk -c Release -o artifacts/feed -p:Version=0.1.0-local -nologo -v:q

sample=samples/QuickStart
rm -rf "$sample/wheels"
python3 eng/make-wheel.py "$sample/wheels" greeting 1.0 'def hello(name):
    return f"hello, {name}"
' >/dev/null
python3 eng/make-wheel.py "$sample/wheels" tiny-stats 0.3 'def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)
' >/dev/null

export NUGET_PACKAGES="$root/artifacts/sample-packages"
(cd "$sample" && dotnet build -nologo -v:n -p:MlEnvBaseImage="$base" -p:MlEnvRequireDocker=true)

image=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' "$sample/bin/Debug/mlenv.json")
echo "Environment image: $image"
docker run --rm "$image" python -c 'import greeting, tiny_stats, ctypes.util; print(greeting.hello("MlEnv"), tiny_stats.mean([1, 2, 3]), ctypes.util.find_library("gomp") is not None)'
