#!/usr/bin/env bash
# Debian's Docker engine (dockerd, containerd, runc, CLI) and a statically linked busybox, from which
# scripts/backends.d/dockerd.sh builds the test image (no public registry is reachable), and Debian's
# docker-registry with htpasswd (apache2-utils) for the private registry of scripts/backends.d/registry.sh,
# and openssl for the TLS listener's certificates.
# Idempotent.
set -euo pipefail
static_busybox() { [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; }
if command -v dockerd >/dev/null && [ -x /usr/bin/docker ] && command -v containerd >/dev/null && static_busybox \
  && command -v docker-registry >/dev/null && command -v htpasswd >/dev/null && command -v openssl >/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
command -v file >/dev/null || need_file=file
if ! apt-get install -y --no-install-recommends docker.io busybox-static docker-registry apache2-utils openssl ${need_file:-}; then
  apt-get update
  apt-get install -y --no-install-recommends docker.io busybox-static docker-registry apache2-utils openssl ${need_file:-}
fi
