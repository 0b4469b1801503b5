#!/usr/bin/env bash
# Lists the test projects of Gateway.sln (those that reference Microsoft.NET.Test.Sdk), one path a line.
# scripts/test.sh runs each of them and scripts/count-results.sh expects results from each.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet sln Gateway.sln list | tr '\\' '/' | grep -E '\.csproj$' | while read -r p; do
  if grep -q 'Include="Microsoft.NET.Test.Sdk"' "$p"; then echo "$p"; fi
done | sort
