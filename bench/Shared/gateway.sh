# Sourced by the suites after they set $root. Publishes the gateway the way docs/operations.md deploys it
# (ReadyToRun, framework-dependent) into .bench/gateway and exports BENCH_GATEWAY_DLL, so every suite measures
# the deployed form rather than a freshly JIT-compiled build output. A BENCH_GATEWAY_DLL set by the caller wins.
if [ -z "${BENCH_GATEWAY_DLL:-}" ]; then
  dotnet publish "$root/Gateway" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$root/.bench/gateway" -v q -nologo >&2
  export BENCH_GATEWAY_DLL="$root/.bench/gateway/Gateway.dll"
fi
