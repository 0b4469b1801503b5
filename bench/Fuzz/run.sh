#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser target with AFL++ and SharpFuzz (bench/Fuzz/README.md).
# Usage: bench/Fuzz/run.sh <target> <seconds>
# Builds Release into .bench/fuzz/build, instruments the gateway's own assemblies there, and runs afl-fuzz for
# <seconds> with the target's committed corpus as seeds. Findings land in .bench/fuzz/<target>/ (crashes/, queue/);
# replay one with: dotnet .bench/fuzz/build/Gateway.Fuzz.dll <target> <file>
# Needs afl-fuzz (Debian: apt-get install -y afl++) and the sharpfuzz tool
# (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target=${1:-}
seconds=${2:-}
if [ -z "$target" ] || [ ! -d "$here/corpus/$target" ] || ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: bench/Fuzz/run.sh <$(ls "$here/corpus" | tr '\n' '|' | sed 's/|$//')> <seconds>" >&2; exit 2
fi
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }

work="$root/.bench/fuzz"
build="$work/build"
# FUZZ_REUSE_BUILD=1 runs the last instrumented build again (several targets in a row, no code changed in between).
if [ "${FUZZ_REUSE_BUILD:-0}" != 1 ] || [ ! -f "$build/.instrumented" ]; then
  rm -rf "$build"
  dotnet publish "$here/Fuzz.csproj" -c Release -o "$build" -v q -nologo >&2
  # Only the product's assemblies carry coverage: the BCL, ASP.NET and BouncyCastle stay as they are.
  for assembly in Gateway.dll Gateway.Channel.dll Gateway.Contracts.dll; do sharpfuzz "$build/$assembly" >&2; done
  touch "$build/.instrumented"
fi

out="$work/$target"
rm -rf "$out"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
afl-fuzz -i "$here/corpus/$target" -o "$out" -V "$seconds" -t 5000 -m none -- dotnet "$build/Gateway.Fuzz.dll" "$target" >"$work/$target.log" 2>&1 || true
stats="$out/default/fuzzer_stats"
[ -f "$stats" ] || { tail -40 "$work/$target.log" >&2; echo "afl-fuzz did not start" >&2; exit 1; }
grep -E "^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) " "$stats"
crashes=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
echo "crashes $crashes (inputs in $out/default/crashes)"
