#!/usr/bin/env bash
# The real S3 clients the front-door tests drive (tests/S3Api.Tests): Debian's AWS CLI, boto3, rclone and s3cmd.
# Idempotent: nothing is installed when all four are already there.
set -euo pipefail
have_all() {
  [ -x /usr/bin/aws ] && [ -x /usr/bin/rclone ] && [ -x /usr/bin/s3cmd ] && /usr/bin/python3 -c 'import boto3' 2>/dev/null
}
have_all && exit 0
export DEBIAN_FRONTEND=noninteractive
pkgs="awscli python3-boto3 rclone s3cmd"
if ! apt-get install -y --no-install-recommends $pkgs; then
  apt-get update
  apt-get install -y --no-install-recommends $pkgs
fi
