#!/usr/bin/env bash
# The Debian package, end to end (CI's `package` stage; runnable by hand):
#   1. a Release tree of only what the package holds (no tests, no benchmarks), prefix /usr;
#   2. cpack -> build/package/badgateway_<version>_amd64.deb;
#   3. install it: `apt-get install ./badgateway_*.deb` as root or through sudo; without either,
#      `dpkg -x` into a temporary root (the relocation path: an installed badgateway finds its
#      data from its own location), and BGW_PROXIES_DIR for the embedded tests' adapter lookup;
#   4. from a directory outside the source tree: badgateway run --proxy nginx on the installed
#      conformance suite, which must exit 0;
#   5. the installed examples/embed, an outside CMake project (find_package(badgateway)), built
#      against the installed package, and its tests run;
#   6. badgateway.pc: a small simulator program built with pkg-config's flags (apt mode).
#   BGW_PACKAGE_INSTALL=apt|extract   force the install mode (default: apt when root or sudo)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source_dir=$PWD
build=build/package
t0=$(date +%s)
step() { echo "package: $1 ($(( $(date +%s) - t0 ))s)"; }

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DBUILD_TESTING=OFF -DBGW_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j2 --target badgateway bgw-upstream bgw_testing
step "built"
rm -f "$build"/badgateway_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/badgateway_*_amd64.deb)
step "packed $deb"
dpkg-deb --field "$deb" Package Version Depends Recommends Suggests

mode=${BGW_PACKAGE_INSTALL:-}
as_root=()
if [[ -z $mode ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    mode=apt
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    mode=apt
    as_root=(sudo)
  else
    mode=extract
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $mode == apt ]]; then
  cp "$deb" "$work/"
  # --reinstall: a package of the same version already installed would otherwise be kept.
  (cd "$work" && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
     apt-get install -y --reinstall --no-install-recommends ./badgateway_*.deb)
  root=
else
  echo "package: extracting with dpkg -x instead of apt-get install (no root, no sudo, or forced)"
  root=$work/root
  dpkg -x "$deb" "$root"
  export BGW_PROXIES_DIR=$root/usr/share/badgateway/proxies
fi
bin=$root/usr/bin
share=$root/usr/share/badgateway
step "installed ($mode)"

# Outside the source tree, with no hint where it is: the suite and adapters come from share/.
mkdir -p "$work/run"
cd "$work/run"
env -u BGW_PROXIES_DIR "$bin/badgateway" --version
env -u BGW_PROXIES_DIR "$bin/badgateway" list >/dev/null
env -u BGW_PROXIES_DIR "$bin/badgateway" run --proxy nginx -j2 --junit "$work/conformance.xml" \
  "$share/scenarios/conformance"
step "conformance against nginx passed"

cmake -S "$share/examples/embed" -B "$work/embed" -G Ninja "${launcher[@]}" \
  ${root:+-DCMAKE_PREFIX_PATH=$root/usr} >/dev/null
cmake --build "$work/embed" -j2
ctest --test-dir "$work/embed" --output-on-failure
step "examples/embed built against the package and passed"

# badgateway.pc: the simulator alone, compiled and run with pkg-config's flags (installed
# packages only: an extracted tree's .pc names /usr).
if [[ $mode == apt ]]; then
  cat >"$work/sim.cpp" <<'CPP'
#include <boost/asio/io_context.hpp>
#include <iostream>
#include "simulator/upstream.hpp"
int main() {
  boost::asio::io_context io;
  bgw::sim::Upstream up(io, bgw::sim::UpstreamSpec{.name = "a"});
  std::cout << "pkg-config: upstream listening on " << up.endpoint() << "\n";
}
CPP
  # shellcheck disable=SC2046  # pkg-config's output is meant to be split into arguments
  c++ "$work/sim.cpp" -o "$work/sim" $(pkg-config --cflags --libs badgateway)
  "$work/sim"
  step "pkg-config build of the simulator passed"
fi
cd "$source_dir"
