# A private dockerd (Debian's docker.io) for the Docker bridge's tests and benchmark: its own unix socket,
# data root, exec root and pid file, no iptables and no bridge network, so it runs in a sandbox beside
# (never instead of) any system dockerd. Nothing can be pulled, so the test image gateway-test/busybox:1 is
# built by `docker import` of a tar holding a static busybox and its applet links. It also listens on
# tcp://127.0.0.1:$DOCKERD_TLS_PORT with --tlsverify (mutual TLS, as `dockerd --tlsverify` is run on remote hosts),
# with a CA, server and client certificate made by openssl at each start, for the TLS host tests.
# Sourced by scripts/backends.sh.

dockerd_dir() { echo "$BACKENDS_DIR/docker"; }
dockerd_cli() { if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi; }

# The exec root holds containerd's and runc's sockets, whose paths must stay under the 108-byte
# unix socket limit, so it lives in a short temporary folder whatever the checkout's path.
dockerd_exec_root() {
  local d; d=$(dockerd_dir)
  if [ ! -s "$d/exec-root.path" ]; then mktemp -d /tmp/gw-dockerd.XXXXXX > "$d/exec-root.path"; fi
  cat "$d/exec-root.path"
}
dockerd_socket() { echo "$(dockerd_exec_root)/docker.sock"; }
dockerd_tls_port() { echo "${DOCKERD_TLS_PORT:-12376}"; }

# A CA, a server certificate for 127.0.0.1 and a client certificate (clientAuth), as docker's own TLS guide makes them.
dockerd_make_certs() {
  local t; t="$(dockerd_dir)/tls"; rm -rf "$t"; mkdir -p "$t"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=gateway-test docker CA" \
    -keyout "$t/ca-key.pem" -out "$t/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$t/server-key.pem" -out "$t/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$t/server.ext"
  openssl x509 -req -days 30 -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial \
    -extfile "$t/server.ext" -out "$t/server-cert.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=gateway-test client" -keyout "$t/key.pem" -out "$t/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$t/client.ext"
  openssl x509 -req -days 30 -in "$t/client.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial \
    -extfile "$t/client.ext" -out "$t/cert.pem" 2>/dev/null
  rm -f "$t"/*.csr "$t"/*.ext
  [ -s "$t/cert.pem" ] && [ -s "$t/server-cert.pem" ]
}

dockerd_launch() { # <storage driver or empty>
  local d exec sock; d=$(dockerd_dir); exec=$(dockerd_exec_root); sock=$(dockerd_socket)
  mkdir -p "$d/data" "$exec"
  local driver_args=(); [ -n "${1:-}" ] && driver_args=(--storage-driver "$1")
  local tls="$d/tls"
  setsid dockerd \
    --host "unix://$sock" \
    --host "tcp://127.0.0.1:$(dockerd_tls_port)" \
    --tlsverify --tlscacert "$tls/ca.pem" --tlscert "$tls/server-cert.pem" --tlskey "$tls/server-key.pem" \
    --data-root "$d/data" \
    --exec-root "$exec" \
    --pidfile "$d/dockerd.pid" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
    --userland-proxy=false \
    "${driver_args[@]}" \
    >"$BACKENDS_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_until 60 dockerd "$(dockerd_cli)" -H "unix://$sock" version
}

dockerd_build_image() {
  local d cli sock root; d=$(dockerd_dir); cli=$(dockerd_cli); sock=$(dockerd_socket)
  if "$cli" -H "unix://$sock" image inspect gateway-test/busybox:1 >/dev/null 2>&1 && [ -s "$d/loadable.tar" ]; then
    return 0
  fi
  root="$d/image-root"; rm -rf "$root"; mkdir -p "$root/bin" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
  tar -C "$root" -cf "$d/busybox-rootfs.tar" .
  "$cli" -H "unix://$sock" import --change 'CMD ["/bin/sh"]' "$d/busybox-rootfs.tar" gateway-test/busybox:1 >/dev/null
  # A `docker save` archive of a second tag, for the image load tests.
  "$cli" -H "unix://$sock" tag gateway-test/busybox:1 gateway-test/loadable:1
  "$cli" -H "unix://$sock" save -o "$d/loadable.tar" gateway-test/loadable:1
  "$cli" -H "unix://$sock" rmi gateway-test/loadable:1 >/dev/null
  rm -rf "$root"
}

start_dockerd() {
  command -v dockerd >/dev/null || { echo "dockerd is not installed (scripts/install.d/docker.sh)" >&2; return 1; }
  command -v openssl >/dev/null || { echo "openssl is not installed" >&2; return 1; }
  mkdir -p "$(dockerd_dir)"
  stop_dockerd
  dockerd_make_certs || { echo "could not make the TLS certificates" >&2; return 1; }
  if ! dockerd_launch ""; then
    echo "dockerd did not start with the default storage driver; retrying with vfs" >&2
    stop_dockerd
    dockerd_launch vfs || return 1
  fi
  dockerd_build_image
}

stop_dockerd() {
  local d pid; d=$(dockerd_dir)
  [ -s "$d/dockerd.pid" ] || return 0
  pid=$(cat "$d/dockerd.pid")
  if kill -0 "$pid" 2>/dev/null; then
    # Leave no test containers running into the next run.
    local cli sock; cli=$(dockerd_cli); sock=$(dockerd_socket)
    local ids; ids=$("$cli" -H "unix://$sock" ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && "$cli" -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
    stop_pid "$pid" 30
  fi
  rm -f "$d/dockerd.pid"
}

env_dockerd() {
  echo "DOCKER_ENDPOINT=unix://$(dockerd_socket)"
  echo "DOCKER_TEST_IMAGE=gateway-test/busybox:1"
  echo "DOCKER_LOADABLE_IMAGE_TAR=$(dockerd_dir)/loadable.tar"
  echo "DOCKER_LOADABLE_IMAGE=gateway-test/loadable:1"
  echo "DOCKER_TLS_ENDPOINT=tcp://127.0.0.1:$(dockerd_tls_port)"
  echo "DOCKER_TLS_CA=$(dockerd_dir)/tls/ca.pem"
  echo "DOCKER_TLS_CERT=$(dockerd_dir)/tls/cert.pem"
  echo "DOCKER_TLS_KEY=$(dockerd_dir)/tls/key.pem"
}
