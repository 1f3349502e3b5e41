#!/usr/bin/env bash
# Requirements-file benchmark (numbers: docs/benchmarks.md): a generated 50 MB requirements file, as pip-compile
# writes them (hashes on continuation lines, "# via" comments), resolves end to end in seconds, and a 50 MB file of
# one requirement per line is read and parsed in seconds. No engine needed.
# Usage: bench/requirements-benchmark.sh [megabytes]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/MlEnv.RequirementsBenchmark -- "${1:-50}"
