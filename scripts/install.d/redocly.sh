#!/usr/bin/env bash
# Redocly CLI (npm @redocly/cli, pinned by scripts/redocly/package-lock.json), which the OpenAPI lint test
# (tests/Gateway.Tests OpenApi/OpenApiLintTests) runs over openapi/gateway.v1.json. Idempotent.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../redocly" && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
# npm ci wipes node_modules first, so skip it while the installed tree matches the lock file.
if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
