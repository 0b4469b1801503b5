#!/usr/bin/env bash
# wrk, the HTTP load generator the REST benchmark (bench/run rest) drives its three targets with. Idempotent.
set -euo pipefail
command -v wrk >/dev/null && exit 0
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends wrk; then
  apt-get update
  apt-get install -y --no-install-recommends wrk
fi
