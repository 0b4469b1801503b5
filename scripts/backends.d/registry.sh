# A private Docker registry (Debian's docker-registry, the CNCF distribution registry) on loopback, with
# htpasswd basic auth, for the image pull tests: they push to it through the test dockerd and pull through the
# gateway with the credentials below. dockerd treats 127.0.0.0/8 registries as insecure, so plain HTTP works.
# Sourced by scripts/backends.sh.

registry_dir() { echo "$BACKENDS_DIR/registry"; }
registry_port() { echo "${REGISTRY_PORT:-5055}"; }

start_registry() {
  command -v docker-registry >/dev/null || { echo "docker-registry is not installed (scripts/install.d/docker.sh)" >&2; return 1; }
  command -v htpasswd >/dev/null || { echo "htpasswd is not installed (scripts/install.d/docker.sh)" >&2; return 1; }
  local d; d=$(registry_dir)
  stop_registry
  rm -rf "$d"; mkdir -p "$d/data"
  # A new password each start: the tests read it from the env file.
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$d/password"
  htpasswd -Bbn gateway-test "$(cat "$d/password")" > "$d/htpasswd"
  cat > "$d/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$(registry_port)
  secret: gateway-test-registry
auth:
  htpasswd:
    realm: gateway-test
    path: $d/htpasswd
YAML
  setsid docker-registry serve "$d/config.yml" > "$BACKENDS_DIR/registry.log" 2>&1 < /dev/null &
  echo $! > "$d/registry.pid"
  # Ready when /v2/ answers its 401 challenge.
  wait_until 30 registry bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$(registry_port)/v2/ | grep -q 401"
}

stop_registry() {
  local d pid; d=$(registry_dir)
  [ -s "$d/registry.pid" ] || return 0
  pid=$(cat "$d/registry.pid")
  stop_pid "$pid" 10
  rm -f "$d/registry.pid"
}

env_registry() {
  echo "REGISTRY_ADDRESS=127.0.0.1:$(registry_port)"
  echo "REGISTRY_USERNAME=gateway-test"
  echo "REGISTRY_PASSWORD=$(cat "$(registry_dir)/password")"
}
