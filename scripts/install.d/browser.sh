#!/usr/bin/env bash
# Debian's headless Chromium and its WebDriver, for the /status page test (driven by Selenium).
# Idempotent: nothing is installed when both are already there.
set -euo pipefail
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && exit 0
export DEBIAN_FRONTEND=noninteractive
pkgs="chromium chromium-driver fonts-dejavu-core"
if ! apt-get install -y --no-install-recommends $pkgs; then
  apt-get update
  apt-get install -y --no-install-recommends $pkgs
fi
