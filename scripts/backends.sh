#!/usr/bin/env bash
# Starts or stops the real backends the tests and benchmarks use, all on loopback.
# Each backend is a file scripts/backends.d/<name>.sh defining start_<name>, stop_<name>
# and (optionally) env_<name>, which prints KEY=VALUE lines the tests read.
#   scripts/backends.sh start [name...]   start (all by default); waits until each answers
#   scripts/backends.sh stop  [name...]
#   scripts/backends.sh env               the environment file path tests read
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export BACKENDS_DIR="${BACKENDS_DIR:-$root/.backends}"
export BACKENDS_ENV="$BACKENDS_DIR/env"
mkdir -p "$BACKENDS_DIR"

# wait_until <seconds> <description> <command...>: polls a readiness check.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then echo "backend '$what' did not become ready in ${limit}s" >&2; return 1; fi
    sleep 0.5
  done
}
export -f wait_until

# stop_pid <pid> <seconds>: asks a process to end, then kills it if it is still there after <seconds>.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + $2))
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
}
export -f stop_pid

for f in "$here"/backends.d/*.sh; do [ -e "$f" ] && source "$f"; done
all=$(for f in "$here"/backends.d/*.sh; do [ -e "$f" ] && basename "$f" .sh; done)

cmd=${1:-}; shift || true
names=${*:-$all}
case "$cmd" in
  start)
    # Each backend writes its own part; the env file is their concatenation, so starting a subset
    # keeps the other backends' lines.
    mkdir -p "$BACKENDS_DIR/env.d"
    failed=0
    for n in $names; do
      echo "starting backend $n" >&2
      if "start_$n"; then
        if declare -F "env_$n" >/dev/null; then "env_$n" > "$BACKENDS_DIR/env.d/$n"; else : > "$BACKENDS_DIR/env.d/$n"; fi
      else
        echo "BACKEND_FAILED_$n=1" > "$BACKENDS_DIR/env.d/$n"; failed=1
        echo "backend $n FAILED to start (see $BACKENDS_DIR/$n.log)" >&2
      fi
      cat "$BACKENDS_DIR"/env.d/* > "$BACKENDS_ENV.tmp" && mv "$BACKENDS_ENV.tmp" "$BACKENDS_ENV"
    done
    exit $failed ;;
  stop)
    for n in $names; do "stop_$n" || true; rm -f "$BACKENDS_DIR/env.d/$n"; done
    cat "$BACKENDS_DIR"/env.d/* > "$BACKENDS_ENV" 2>/dev/null || : > "$BACKENDS_ENV" ;;
  env) echo "$BACKENDS_ENV" ;;
  *) echo "usage: $0 start|stop|env [name...]" >&2; exit 2 ;;
esac
