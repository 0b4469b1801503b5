#!/usr/bin/env bash
# Installs what the tests and benchmarks need on a fresh machine (apt, npm); idempotent.
# Each part is scripts/install.d/<name>.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for f in "$here"/install.d/*.sh; do
  [ -e "$f" ] || continue
  echo "install: $(basename "$f")" >&2
  bash "$f"
done
