#!/usr/bin/env bash
# The same data set (2,000 objects of 4-64 KiB plus 4 of 64 MiB; --quick: 300 plus 1 of 16 MiB) moved from s3rver to
# Azurite by a gateway migration job and by `rclone copy` (Debian's rclone) at the same concurrency, in one run.
# Uses the running backends of $BACKENDS_ENV when set (the data lives in buckets of its own and is removed after),
# else starts s3rver and Azurite on free ports in a folder of their own, removed at the end.
# Usage: bench/run migration [--quick] [--concurrency N] [--small COUNT] [--large COUNT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
command -v rclone >/dev/null || bash scripts/install.d/s3-clients.sh >&2
if [ -z "${BACKENDS_ENV:-}" ]; then
  bash scripts/install.d/cloud-emulators.sh >&2
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
  mkdir -p "$root/.backends"
  BACKENDS_DIR="$(mktemp -d "$root/.backends/bench-migration.XXXXXX")"
  export BACKENDS_DIR S3_PORT=$(free_port) AZURITE_PORT=$(free_port)
  trap 'bash scripts/backends.sh stop s3 azurite >&2; rm -rf "$BACKENDS_DIR"' EXIT
  bash scripts/backends.sh start s3 azurite >&2
  BACKENDS_ENV="$BACKENDS_DIR/env"
fi
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/Migration.Bench -- "$BACKENDS_ENV" "$@"
