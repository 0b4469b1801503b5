#!/usr/bin/env bash
# Docker through the gateway (a separate process) vs Docker.DotNet straight to the same private dockerd, same run:
# docker_list_ratio (containers list calls/s) and docker_logs_ratio (log streaming bytes/s), medians over rounds.
# The dockerd runs in its own folder, so a test run using the usual one is not disturbed.
# Usage: bench/run docker [rounds] [log-lines]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash scripts/install.d/docker.sh >&2
export BACKENDS_DIR="$root/.backends/bench-docker"
trap 'bash scripts/backends.sh stop dockerd >&2' EXIT
bash scripts/backends.sh start dockerd >&2
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/Docker.Bench -- "$BACKENDS_DIR/env" "${1:-5}" "${2:-200000}"
