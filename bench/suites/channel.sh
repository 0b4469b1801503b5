#!/usr/bin/env bash
# CTP-96 vs TLS 1.3 (SslStream) bulk throughput over loopback TCP in the same run (median of alternating rounds),
# handshake median over TCP, witness sign/verify rates, and the in-process call overhead (channel minus direct).
# Usage: bench/run channel [bulk-MiB] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dotnet build -c Release bench/Channel.Bench -v q -nologo >&2
dotnet run -c Release --no-build --project bench/Channel.Bench -- "${1:-256}" "${2:-5}"
