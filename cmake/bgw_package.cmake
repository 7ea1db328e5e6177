# The Debian package: `cpack` in a Release tree configured with CMAKE_INSTALL_PREFIX=/usr
# (scripts/package-test.sh) makes badgateway_<version>_amd64.deb from the install rules.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME badgateway)
set(CPACK_PACKAGE_VENDOR badgateway)
set(CPACK_PACKAGE_CONTACT "badgateway maintainers <badgateway@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "fault-injection harness for HTTP reverse proxies (nginx, haproxy, apache2, ...)")
set(CPACK_PACKAGE_DESCRIPTION
    "badgateway runs scenario files against a reverse proxy: simulated upstreams reset, stall,\n\
drip, truncate and crash on cue, and the proxy's answers are judged against RFC 9110/9112.\n\
Ships the CLI, the standalone upstream bgw-upstream, the conformance and failover suites, the\n\
proxy adapters, and a CMake package (badgateway::sim, badgateway::testing) for GoogleTest.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # badgateway_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The runtime libraries come from dpkg-shlibdeps (libtomlplusplus3, libboost-url, libboost-json, libssl3, libstdc++6,
# libc6...); without it, the list measured on Debian 12.
find_program(BGW_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(BGW_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 12), libtomlplusplus3 (>= 3.3), libboost-url1.81.0, libboost-json1.81.0, libssl3 (>= 3.0)")
endif()
# What the CMake package needs to be used from another project (find_package(badgateway)).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libboost1.81-dev, libboost-url1.81-dev, libboost-json1.81-dev, libssl-dev, libcli11-dev, libtomlplusplus-dev, libgtest-dev, cmake")
# The proxies it tests; each one badgateway has an adapter for and Debian ships.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "nginx | nginx-light, haproxy, apache2, varnish, caddy, squid, lighttpd, h2o, trafficserver, tinyproxy")
include(CPack)
