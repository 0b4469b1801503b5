#!/usr/bin/env bash
# Object-storage emulators for the S3, Azure Blob and GCS bridge tests: s3rver, Azurite and the
# Firebase Storage emulator, all from npm into scripts/node (versions pinned by its package-lock.json).
set -euo pipefail
node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
# npm ci wipes node_modules first, so skip it while the installed tree matches the lock file.
if [ -f "$node_dir/node_modules/.package-lock.json" ] && [ "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
  exit 0
fi
cd "$node_dir"
# re2 (under firebase-tools) first tries to download a prebuilt binary from GitHub, which can hang
# without internet: skip straight to building it from source against the local Node headers.
export DEVELOPMENT_SKIP_GETTING_ASSET=1
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
npm ci --no-audit --no-fund --loglevel=error
