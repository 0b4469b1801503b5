#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs, starts the real backends, builds once,
# runs every test project of Gateway.sln (two at a time), stops the backends, prints a table per
# project and the closing line "N passed, N failed". Exits non-zero when any project failed, crashed
# or produced no results. Extra arguments go to every `dotnet test` (e.g. --filter ...).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install.sh || { echo "install failed" >&2; echo "0 passed, 1 failed"; exit 1; }
if [ -n "${BACKENDS_ENV:-}" ] && [ -f "$BACKENDS_ENV" ]; then
  # A developer's backends already running (started with scripts/backends.sh): use them, leave them.
  echo "using the running backends of $BACKENDS_ENV" >&2
else
  bash scripts/backends.sh start || echo "some backends failed to start: their tests will fail and say which" >&2
  stop_backends=1
  export BACKENDS_ENV="$root/.backends/env"
fi
# The tests' temporary files (stores, data directories, large objects: several GB a run) go to one directory of
# this run, removed at the end whatever a test left behind.
tests_tmp=$(mktemp -d "${TMPDIR:-/tmp}/gateway-tests.XXXXXX")
cleanup() { rm -rf "$tests_tmp"; if [ -n "${stop_backends:-}" ]; then bash scripts/backends.sh stop; fi; }
trap cleanup EXIT
results="$root/.backends/test-results"
rm -rf "$results"; mkdir -p "$results"
# Files tests keep for a person to look at (the status page's screenshot), beside the results.
export GATEWAY_TEST_ARTIFACTS="$results/artifacts"
mapfile -t projects < <(bash scripts/test-projects.sh)
names=(); for p in "${projects[@]}"; do names+=("$(basename "$p" .csproj)"); done

build_status=0
dotnet build Gateway.sln -c Release || build_status=$?

run_project() { # <project path> <results dir> [dotnet test args...]
  local proj=$1 dir=$2; shift 2
  mkdir -p "$dir"
  dotnet test "$proj" -c Release --no-build --logger "trx" --results-directory "$dir" "$@" > "$dir/console.log" 2>&1
  echo $? > "$dir/exit-code"
  echo "=== $(basename "$proj" .csproj) (exit $(cat "$dir/exit-code"))"
  cat "$dir/console.log"
}
export -f run_project
export TMPDIR="$tests_tmp"
if [ "$build_status" -eq 0 ]; then
  printf '%s\n' "${projects[@]}" | xargs -P "${TEST_PARALLEL:-2}" -I{} bash -c \
    'run_project "$1" "$2/$(basename "$1" .csproj)" "${@:3}"' _ {} "$results" "$@"
else
  echo "build failed (exit $build_status): no test project can run" >&2
fi
bash scripts/count-results.sh "$results" "${names[@]}"
