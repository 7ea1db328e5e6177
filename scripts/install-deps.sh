#!/usr/bin/env bash
# Install the Debian 12 packages badgateway builds and tests with. Idempotent: when everything
# is already installed it prints one line and never calls apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # toolchain
  libboost1.81-dev                               # Asio, Beast (header-only)
  libboost-url1.81-dev                           # URL parsing (--proxy-url, load URL)
  libboost-json1.81-dev                          # JSON (control API, journals, reports; merge reads them)
  libcli11-dev                                   # command-line parsing (header-only)
  libssl-dev                                     # TLS upstreams: OpenSSL 3 (Asio's SSL stream, certificates)
  libtomlplusplus-dev                            # scenario files
  libgtest-dev libgmock-dev                      # tests
  libbenchmark-dev                               # bench/
  clang libclang-rt-14-dev                       # the dev build (ASan + UBSan); libFuzzer
  nginx-light haproxy                            # proxies under test (CI runs the suite)
  apache2 caddy varnish squid lighttpd h2o       # the other reverse proxies Debian ships:
  trafficserver tinyproxy nghttp2-proxy          #   adapters, config checks, the matrix
  chromium                                       # the matrix HTML's browser test
  wrk curl                                       # load and manual probing
  python3 python3-yaml                           # tests/ci: the CI examples parse as YAML
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: dpkg-query/apt-get not found; badgateway expects Debian 12" >&2
  exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "dependencies: all present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: installing them needs root, and sudo is not available;" >&2
  echo "install-deps: run this script as root, or install them yourself with apt-get" >&2
  exit 1
fi

echo "dependencies: installing ${missing[*]}"
# The proxy packages start system services on install (ports 80, 3128, 6081, 8080, 8888...).
# Those are not ours to reason about: the harness launches its own proxy processes. A
# policy-rc.d answering 101 ("action forbidden") is Debian's way to keep invoke-rc.d from
# starting them; it is removed again afterwards if we put it there.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"

# Where a service got started anyway (no policy-rc.d honoured, or it was running before), stop it.
for service_name in nginx haproxy apache2 varnish squid lighttpd h2o trafficserver tinyproxy caddy; do
  if command -v service >/dev/null 2>&1 && service "$service_name" status >/dev/null 2>&1; then
    echo "dependencies: stopping the $service_name system service"
    "${as_root[@]}" service "$service_name" stop || true
  fi
done

echo "dependencies: installed ${#missing[@]} package(s)"
