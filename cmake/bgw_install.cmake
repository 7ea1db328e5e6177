# Install layout (cmake --install, and the Debian package CPack makes from it):
#   bin/badgateway, bin/bgw-upstream
#   share/badgateway/{proxies,scenarios/{conformance,failover,examples}}
#   include/badgateway/{simulator,wire,testing}/*.hpp, harness/client/raw_client.hpp, bgw_version.hpp
#   lib/libbgw_*.a, lib/cmake/badgateway/ (badgateway::sim, badgateway::testing), lib/pkgconfig/
# An installed badgateway finds share/badgateway from its own path (harness/cli/data_dirs.cpp).
include(CMakePackageConfigHelpers)

set(BGW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/badgateway)

install(TARGETS badgateway bgw-upstream RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The libraries, with every target they link (static libraries carry their private links too).
set(BGW_EXPORTED bgw_sim bgw_wire bgw_text bgw_scenario bgw_harness bgw_version bgw_asio
                 bgw_warnings bgw_sanitize)
if(TARGET bgw_testing)
  list(APPEND BGW_EXPORTED bgw_testing)
endif()
install(TARGETS ${BGW_EXPORTED} EXPORT badgatewayTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/badgateway)
install(EXPORT badgatewayTargets NAMESPACE badgateway:: DESTINATION ${BGW_CMAKE_DIR})

# The public headers: the simulator (and the wire decoder it includes), the testing API, and the
# one harness header the testing API exposes (client::RawResult). The harness's other headers
# stay private: its libraries are installed only because badgateway::testing links them.
foreach(dir IN ITEMS simulator wire testing)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/badgateway/${dir}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/harness/client/raw_client.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/badgateway/harness/client)
install(FILES ${PROJECT_BINARY_DIR}/generated/bgw_version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/badgateway)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/proxies/ DESTINATION ${CMAKE_INSTALL_DATADIR}/badgateway/proxies)
foreach(suite IN ITEMS conformance failover examples)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/${suite}/
          DESTINATION ${CMAKE_INSTALL_DATADIR}/badgateway/scenarios/${suite})
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/embed/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/badgateway/examples/embed
        PATTERN build EXCLUDE)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/badgatewayConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/badgatewayConfig.cmake
                              INSTALL_DESTINATION ${BGW_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/badgatewayConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/badgatewayConfig.cmake
              ${PROJECT_BINARY_DIR}/badgatewayConfigVersion.cmake
        DESTINATION ${BGW_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/badgateway.pc.in ${PROJECT_BINARY_DIR}/badgateway.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/badgateway.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

include(cmake/bgw_package.cmake)
