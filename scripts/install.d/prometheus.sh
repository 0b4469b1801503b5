#!/usr/bin/env bash
# Debian's Prometheus server and promtool, for the test that has a real Prometheus scrape /metrics
# (tests/Gateway.Tests/Observability/PrometheusScrapeTests.cs). The package's service is not started: the test runs
# its own server on a free loopback port. Idempotent: nothing is installed when both are already there.
set -euo pipefail
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] && exit 0
export DEBIAN_FRONTEND=noninteractive
pkgs="prometheus"
if ! apt-get install -y --no-install-recommends $pkgs; then
  apt-get update
  apt-get install -y --no-install-recommends $pkgs
fi
