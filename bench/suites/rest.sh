#!/usr/bin/env bash
# The same ~1 KiB GET from one minimal Kestrel upstream, three ways in one run: directly, through a plain
# Yarp.ReverseProxy 2.3 proxy, and through the gateway's REST bridge (/v1/rest/bench/...). Each is its own
# process; wrk drives them in turn at a fixed connection count, round after round, and the medians are compared.
# A fourth process is the same gateway with observability on (metrics, tracing sampled at 10% with no exporter,
# JSON console logs at Information); the third has it off: observability_overhead_ratio is on/off.
# Usage: bench/run rest [rounds] [seconds-per-run] [connections]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rounds=${1:-5} seconds=${2:-10} connections=${3:-32}

bash scripts/install.d/rest-bench.sh >&2
dotnet build -c Release bench/Rest.Bench -v q -nologo >&2
source "$root/bench/Shared/gateway.sh"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { # url, what, [header]
  local deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null ${3:+-H "$3"} "$1"; do
    if (( SECONDS >= deadline )); then echo "$2 did not answer at $1; its log:" >&2; cat "$work/$2.log" >&2; exit 1; fi
    sleep 0.3
  done
}

up_port=$(free_port); yarp_port=$(free_port); gw_port=$(free_port); obs_port=$(free_port)
bench_dll=bench/Rest.Bench/bin/Release/net10.0/Rest.Bench.dll
dotnet "$bench_dll" upstream --urls "http://127.0.0.1:$up_port" >"$work/upstream.log" 2>&1 & pids+=($!)
dotnet "$bench_dll" yarp --urls "http://127.0.0.1:$yarp_port" --target "http://127.0.0.1:$up_port/" >"$work/yarp.log" 2>&1 & pids+=($!)

key="gwk_bench_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash="sha256:$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
# start_gateway <name> <port> [VAR=value...]: Production mode (plain HTTP allowed on loopback), with its own node key.
start_gateway() {
  local name=$1 port=$2; shift 2
  mkdir -p "$work/$name"
  dotnet "$BENCH_GATEWAY_DLL" keys generate --out "$work/$name/data/keys" >/dev/null
  (
    cd "$work/$name"
    export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    export Gateway__DataDirectory="$work/$name/data" Gateway__Stores__local__Kind=local Gateway__Stores__local__Root="$work/$name/data/objects"
    export Gateway__Security__AllowPlainHttp=true Gateway__Security__RateLimits__PermitLimit=0
    export Gateway__Security__ApiKeys__bench__Hash="$hash" Gateway__Security__ApiKeys__bench__Scopes__0=admin
    export Gateway__Rest__Upstreams__bench__BaseUrl="http://127.0.0.1:$up_port/"
    for setting in "$@"; do export "$setting"; done
    exec dotnet "$BENCH_GATEWAY_DLL" --urls "http://127.0.0.1:$port"
  ) >"$work/$name.log" 2>&1 & pids+=($!)
}
start_gateway gateway "$gw_port" Gateway__Observability__Metrics__Enabled=false
start_gateway observed "$obs_port" Gateway__Observability__Metrics__Enabled=true Gateway__Observability__Tracing__Enabled=true \
  Gateway__Observability__Tracing__SamplingRatio=0.1 Gateway__Observability__Logs__Format=json Logging__LogLevel__Default=Information

direct="http://127.0.0.1:$up_port/items"
yarp="http://127.0.0.1:$yarp_port/items"
gateway="http://127.0.0.1:$gw_port/v1/rest/bench/items"
observed="http://127.0.0.1:$obs_port/v1/rest/bench/items"
auth="X-Api-Key: $key"
wait_ready "$direct" upstream
wait_ready "$yarp" yarp
wait_ready "$gateway" gateway "$auth"
wait_ready "$observed" observed "$auth"
size=$(curl -fsS -H "$auth" "$gateway" | wc -c)
echo "response body: $size bytes; $rounds rounds of ${seconds}s at $connections connections" >&2

# run <url> [header] -> "rps p99_ms"
run() {
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency ${2:+-H "$2"} "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {rps=$2}
       $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; p99=v}
       END {printf "%s %s\n", rps, p99}' <<<"$out"
}

# warm-up (JIT, connection pools): long enough for tiered compilation to reach its final code on every side
# (profiles of 3 s warm-ups still showed instrumented-tier frames in the gateway; docs/performance.md)
warm=${REST_WARMUP_SECONDS:-15}
wrk -t2 -c"$connections" -d"${warm}s" "$direct" >/dev/null
wrk -t2 -c"$connections" -d"${warm}s" "$yarp" >/dev/null
wrk -t2 -c"$connections" -d"${warm}s" -H "$auth" "$gateway" >/dev/null
wrk -t2 -c"$connections" -d"${warm}s" -H "$auth" "$observed" >/dev/null
declare -A rps p99
for ((r = 1; r <= rounds; r++)); do
  read -r a b < <(run "$direct"); rps[direct]+="$a "; p99[direct]+="$b "
  read -r a b < <(run "$yarp"); rps[yarp]+="$a "; p99[yarp]+="$b "
  # The observability pair swaps order every round, so neither side always runs in the other's wake
  # (its background work: audit group commits, GC, late JIT tiers).
  for t in $( ((r % 2)) && echo "gateway observed" || echo "observed gateway"); do
    read -r a b < <(run "${!t}" "$auth"); rps[$t]+="$a "; p99[$t]+="$b "
  done
  echo "round $r: rps direct/yarp/gateway/observed = $(for t in direct yarp gateway observed; do echo -n "$(awk '{print $NF}' <<<"${rps[$t]}") "; done)" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
d=$(median <<<"${rps[direct]}"); y=$(median <<<"${rps[yarp]}"); g=$(median <<<"${rps[gateway]}"); o=$(median <<<"${rps[observed]}")
awk -v g="$g" -v y="$y" -v d="$d" -v o="$o" 'BEGIN {
  printf "metric observability_overhead_ratio %.3f ratio\n", o / g
  printf "metric observed_gateway_rps %.0f req/s\n", o
  printf "metric rest_rps_vs_yarp_ratio %.3f ratio\n", g / y
  printf "metric rest_rps_vs_direct_ratio %.3f ratio\n", g / d
  printf "metric gateway_rps %.0f req/s\nmetric yarp_rps %.0f req/s\nmetric direct_rps %.0f req/s\n", g, y, d }'
echo "metric gateway_p99_ms $(median <<<"${p99[gateway]}") ms"
echo "metric observed_gateway_p99_ms $(median <<<"${p99[observed]}") ms"
echo "metric yarp_p99_ms $(median <<<"${p99[yarp]}") ms"
echo "metric direct_p99_ms $(median <<<"${p99[direct]}") ms"
