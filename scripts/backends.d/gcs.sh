# GCS: the Firebase Storage emulator from npm firebase-tools, started by scripts/node/gcs-emulator.js
# (its CLI would want Java for the rules runtime, which the GCS JSON API does not use).
GCS_PORT=${GCS_PORT:-9199}
_gcs_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"

start_gcs() {
  stop_gcs
  local dir="$BACKENDS_DIR/gcs"
  rm -rf "$dir"; mkdir -p "$dir/tmp"
  TMPDIR="$dir/tmp" setsid node "$_gcs_node_dir/gcs-emulator.js" 127.0.0.1 "$GCS_PORT" \
    > "$BACKENDS_DIR/gcs.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  wait_until 60 gcs curl -sf -o /dev/null "http://127.0.0.1:$GCS_PORT/storage/v1/b/ready-check/o"
}

stop_gcs() {
  local pidfile="$BACKENDS_DIR/gcs/pid"
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
}

env_gcs() {
  echo "GCS_EMULATOR_ENDPOINT=http://127.0.0.1:$GCS_PORT"
  echo "GCS_EMULATOR_PROJECT=gateway-test"
}
