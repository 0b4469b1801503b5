# Azure Blob: Azurite from npm (scripts/node) with the emulator's well-known development account.
AZURITE_PORT=${AZURITE_PORT:-10000}
_azurite_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"

start_azurite() {
  stop_azurite
  local dir="$BACKENDS_DIR/azurite"
  rm -rf "$dir"; mkdir -p "$dir/data"
  setsid "$_azurite_node_dir/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" \
    --location "$dir/data" --silent --skipApiVersionCheck --loose \
    > "$BACKENDS_DIR/azurite.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  wait_until 60 azurite curl -s -o /dev/null "http://127.0.0.1:$AZURITE_PORT/devstoreaccount1?comp=list"
}

stop_azurite() {
  local pidfile="$BACKENDS_DIR/azurite/pid"
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
}

env_azurite() {
  echo "AZURITE_BLOB_ENDPOINT=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
  echo "AZURITE_ACCOUNT_NAME=devstoreaccount1"
  # The public, documented development key of every Azurite install; not a secret.
  echo "AZURITE_ACCOUNT_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
}
