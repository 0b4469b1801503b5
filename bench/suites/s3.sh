#!/usr/bin/env bash
# aws s3 cp of a 1 GiB file up and down: through the S3 front door (local store), through the REST facade with curl,
# and against s3rver directly, same run. Needs the s3 backend (scripts/backends.sh start s3) and the Debian AWS CLI.
# Usage: bench/run s3 [size-MiB] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/S3FrontDoor.Bench -- "${1:-1024}" "${2:-3}"
