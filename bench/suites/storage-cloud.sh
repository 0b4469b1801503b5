#!/usr/bin/env bash
# 256 MiB put and get for s3, azure and gcs: through the gateway (a separate process) vs directly with the same
# SDK (Google.Cloud.Storage.V1 for GCS) and vs each bridge alone in the bench process, against the same emulators,
# same run, with CPU seconds per transfer. The emulators run on free ports and in a folder of their own, removed at
# the end, so neither a test run using the usual ones nor a second copy of this suite is disturbed.
# Usage: bench/run storage-cloud [size-MiB] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash scripts/install.d/cloud-emulators.sh >&2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
mkdir -p "$root/.backends"
BACKENDS_DIR="$(mktemp -d "$root/.backends/bench-cloud.XXXXXX")"
export BACKENDS_DIR S3_PORT=$(free_port) AZURITE_PORT=$(free_port) GCS_PORT=$(free_port)
trap 'bash scripts/backends.sh stop s3 azurite gcs >&2; rm -rf "$BACKENDS_DIR"' EXIT
bash scripts/backends.sh start s3 azurite gcs >&2
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/CloudStorage.Bench -- "$BACKENDS_DIR/env" "${1:-256}" "${2:-3}"
