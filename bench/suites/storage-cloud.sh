#!/usr/bin/env bash
# 256 MiB put and get for s3, azure and gcs: through the gateway (a separate process) vs directly with the same
# SDK (Google.Cloud.Storage.V1 for GCS) and vs each bridge alone in the bench process, against the same emulators,
# same run, with CPU seconds per transfer. The emulators run on their own ports and folder here, so a test run
# using the usual ones is not disturbed.
# Usage: bench/run storage-cloud [size-MiB] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash scripts/install.d/cloud-emulators.sh >&2
export BACKENDS_DIR="$root/.backends/bench-cloud" S3_PORT=14568 AZURITE_PORT=20000 GCS_PORT=19199
trap 'bash scripts/backends.sh stop s3 azurite gcs >&2' EXIT
bash scripts/backends.sh start s3 azurite gcs >&2
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/CloudStorage.Bench -- "$BACKENDS_DIR/env" "${1:-256}" "${2:-3}"
