#!/usr/bin/env bash
# Install the Debian 12 packages badgateway builds and tests with. Idempotent: when everything
# is already installed it prints one line and never calls apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # toolchain
  libboost1.81-dev                               # Asio, Beast (header-only)
  libtomlplusplus-dev                            # scenario files
  libgtest-dev libgmock-dev                      # tests
  libbenchmark-dev                               # bench/
  nginx-light haproxy                            # proxies under test
  wrk curl                                       # load and manual probing
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
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"

# The Debian packages start nginx and haproxy as system services. A service left running holds
# port 80 and is not ours to reason about; the harness launches its own proxy processes.
for service_name in nginx haproxy; do
  if command -v service >/dev/null 2>&1 && service "$service_name" status >/dev/null 2>&1; then
    echo "dependencies: stopping the $service_name system service"
    "${as_root[@]}" service "$service_name" stop || true
  fi
done

echo "dependencies: installed ${#missing[@]} package(s)"
