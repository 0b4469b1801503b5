# S3: s3rver from npm, started by scripts/node/s3-emulator.js, path-style, on loopback. s3rver does not check SigV4
# signatures; it needs the legacy OpenSSL provider or ListObjectsV2 paging answers 500.
S3_PORT=${S3_PORT:-4568}
_s3_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"

start_s3() {
  stop_s3
  local dir="$BACKENDS_DIR/s3"
  rm -rf "$dir"; mkdir -p "$dir/data"
  NODE_OPTIONS=--openssl-legacy-provider setsid node "$_s3_node_dir/s3-emulator.js" "$dir/data" 127.0.0.1 "$S3_PORT" \
    > "$BACKENDS_DIR/s3.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  wait_until 60 s3 curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"
}

stop_s3() {
  local pidfile="$BACKENDS_DIR/s3/pid"
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
}

env_s3() {
  echo "S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
  echo "S3_ACCESS_KEY=S3RVER"
  echo "S3_SECRET_KEY=S3RVER"
}
