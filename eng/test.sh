#!/usr/bin/env bash
# Runs every test on a fresh machine: prepares the Docker engine and base image (eng/prepare-engine.sh), runs the
# unit and end-to-end suites with MLENV_REQUIRE_DOCKER=1 (a missing engine fails instead of skipping), then the
# end-to-end subset marked Engine=Podman against Podman's Docker API (eng/start-podman.sh), stops what it started,
# checks the formatting (.editorconfig, `dotnet format --verify-no-changes`; a difference counts as one failure)
# and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export MLENV_REQUIRE_DOCKER=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Stop at the end only a daemon this run starts: one that already answers belongs to someone else. (A pid file
# left by an earlier, killed run says nothing: prepare-engine.sh rewrites it when it starts dockerd.)
started_engine=1
docker version >/dev/null 2>&1 && started_engine=0
if ! bash eng/prepare-engine.sh; then
  echo "0 passed, 1 failed"
  exit 1
fi
cleanup() { bash eng/stop-podman.sh; [ "$started_engine" = 1 ] && bash eng/stop-engine.sh; }
trap cleanup EXIT

results=$(mktemp -d)
dotnet test MlEnv.Build.sln -c Release --logger "trx" --results-directory "$results" 2>&1 | tee "$results/output.log"
status=${PIPESTATUS[0]}

# The same tests, marked Engine=Podman, against Podman's Docker-compatible API: build, reuse, run, publish.
podman_socket="${MLENV_PODMAN_SOCKET:-/run/mlenv-podman.sock}"
if bash eng/start-podman.sh; then
  DOCKER_HOST="unix://$podman_socket" dotnet test tests/MlEnv.EndToEndTests -c Release --no-build --filter "Engine=Podman" \
    --logger "trx;LogFileName=podman.trx" --results-directory "$results" 2>&1 | tee -a "$results/output.log"
  [ "${PIPESTATUS[0]}" -ne 0 ] && status=1
else
  echo "podman: the engine did not start"; podman_failed=1
fi

# One style: the code as `dotnet format` would leave it (.editorconfig). A difference is a failure, listed above.
if ! dotnet format MlEnv.Build.sln --verify-no-changes --no-restore 2>&1 | tee -a "$results/output.log"; then
  echo "format: the code differs from what 'dotnet format' makes of it (run it and commit)"; format_failed=1
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
rm -rf "$results"
# A build failure or a run that found no tests is a failure, whatever the counters say.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "${podman_failed:-0}" = 1 ]; then failed=$((failed + 1)); fi
if [ "${format_failed:-0}" = 1 ]; then failed=$((failed + 1)); fi
if [ "$passed" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$skipped" -gt 0 ]; then echo "note: $skipped test(s) skipped"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
