#!/usr/bin/env bash
# 1 GiB put and get through the gateway's local store vs a direct file-to-file copy, same run.
# Then 4 KiB PUTs at 16 connections against the same files written directly (small_put_per_s, small_put_ratio),
# and one listing page of 1,000 with a prefix from buckets of 100,000 and 1,000,000 objects.
# BENCH_LOCAL_LISTING_ROOT=FOLDER keeps the listing buckets between runs.
# Usage: bench/run storage-local [size-MiB] [rounds] [listing bucket sizes, comma-separated; 0 skips] [small PUTs per round; 0 skips]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source "$root/bench/Shared/gateway.sh"
dotnet run -c Release --project bench/LocalStorage.Bench -- "${1:-1024}" "${2:-3}" "${3:-100000,1000000}" "${4:-2000}"
