# A private dockerd (Debian's docker.io) for the Docker bridge's tests and benchmark: its own unix socket,
# data root, exec root and pid file, no iptables and no bridge network, so it runs in a sandbox beside
# (never instead of) any system dockerd. Nothing can be pulled, so the test image gateway-test/busybox:1 is
# built by `docker import` of a tar holding a static busybox and its applet links.
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

dockerd_launch() { # <storage driver or empty>
  local d exec sock; d=$(dockerd_dir); exec=$(dockerd_exec_root); sock=$(dockerd_socket)
  mkdir -p "$d/data" "$exec"
  local driver_args=(); [ -n "${1:-}" ] && driver_args=(--storage-driver "$1")
  setsid dockerd \
    --host "unix://$sock" \
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
  mkdir -p "$(dockerd_dir)"
  stop_dockerd
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
    kill "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$d/dockerd.pid"
}

env_dockerd() {
  echo "DOCKER_ENDPOINT=unix://$(dockerd_socket)"
  echo "DOCKER_TEST_IMAGE=gateway-test/busybox:1"
  echo "DOCKER_LOADABLE_IMAGE_TAR=$(dockerd_dir)/loadable.tar"
  echo "DOCKER_LOADABLE_IMAGE=gateway-test/loadable:1"
}
