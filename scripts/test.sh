#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs, starts the real backends,
# runs every test project, stops the backends, and prints "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install.sh
bash scripts/backends.sh start || echo "some backends failed to start: their tests will fail and say which" >&2
trap 'bash scripts/backends.sh stop' EXIT
export BACKENDS_ENV="$root/.backends/env"
results="$root/.backends/test-results"
rm -rf "$results"; mkdir -p "$results"
dotnet test Gateway.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
bash scripts/count-results.sh "$results"
exit $status
