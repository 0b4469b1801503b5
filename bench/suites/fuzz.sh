#!/usr/bin/env bash
# The CTP-96 fuzz soak: the Channel.Tests fuzz targets (frame decoder, handshake parsers, decoders behind the tag
# and signature, frames toward the bridge host and toward the gateway sealed with the real keys), each run for a
# fixed time instead of CI's short slice. A random master seed is printed; any failure names the iteration and the
# CTP96_FUZZ_SEED / CTP96_FUZZ_ITERATION that replay it, and the suite exits non-zero.
# Usage: bench/run fuzz [seconds-per-target (default 120, five targets ≈ 10 min)] [seed]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds=${1:-120}
export CTP96_FUZZ_SEED=${2:-${CTP96_FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}}
export CTP96_FUZZ_SECONDS=$seconds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CTP96_FUZZ_METRICS="$work/iterations"
echo "fuzz soak: master seed $CTP96_FUZZ_SEED, $seconds s per target" >&2
dotnet build -c Release tests/Channel.Tests -v q -nologo >&2
status=0
dotnet test tests/Channel.Tests -c Release --no-build --filter "FullyQualifiedName~Fuzz" \
  --logger "console;verbosity=normal" >"$work/log" 2>&1 || status=$?
grep -E "fuzz |Failed |Error Message|replay:|Iteration [0-9]+" "$work/log" >&2 || true
if [ -f "$CTP96_FUZZ_METRICS" ]; then
  while read -r target iterations; do
    echo "metric fuzz_${target//-/_}_iterations $iterations count"
    echo "metric fuzz_${target//-/_}_rate $(python3 -c "print(round($iterations / $seconds, 1))") iterations/s"
  done <"$CTP96_FUZZ_METRICS"
fi
echo "metric fuzz_failures $([ "$status" = 0 ] && echo 0 || echo 1) count"
exit "$status"
