# bgw_add_gtest_suites(TARGET PREFIX LABEL TIMEOUT): one CTest test per GoogleTest *suite* of
# TARGET, named PREFIX.Suite and run as `TARGET --gtest_filter=Suite.*`.
#
# Why suites, not gtest_discover_tests' one test per case: under ASan + UBSan a test binary of
# ~250 MB spends ~0.45 s of CPU starting up (the shadow memory and the sanitizer runtimes'
# symbolisation setup), paid once per CTest test. At ~800 cases that was ~270 s of CPU
# (measured) on CI's 2 cores for nothing; at ~110 suites it is under a minute. A failure still names its
# case: gtest prints `[  FAILED  ] Suite.Case` in the output CTest shows on failure.
#
# Discovery runs when ctest starts (like gtest_discover_tests' PRE_TEST mode), so the list always
# matches the binary that was built, in any build directory.
function(bgw_add_gtest_suites target prefix label timeout)
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  file(GENERATE OUTPUT "${script}" CONTENT
"set(exe \"$<TARGET_FILE:${target}>\")
if(NOT EXISTS \"\${exe}\")
  add_test(${prefix}.NOT_BUILT \"\${exe}\")
  return()
endif()
execute_process(COMMAND \"\${exe}\" --gtest_list_tests OUTPUT_VARIABLE listing
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR \"\${exe} --gtest_list_tests failed (\${rc}): \${err}\")
endif()
string(REPLACE \"\\n\" \";\" lines \"\${listing}\")
foreach(line IN LISTS lines)
  # A suite line starts in column 0 and ends with '.', maybe followed by '  # TypeParam = ...'.
  if(line MATCHES \"^([^ #][^ ]*)\\\\.( *#.*)?$\")
    set(suite \"\${CMAKE_MATCH_1}\")
    add_test(\"${prefix}.\${suite}\" \"\${exe}\" \"--gtest_filter=\${suite}.*\" --gtest_color=no)
    set_tests_properties(\"${prefix}.\${suite}\" PROPERTIES LABELS \"${label}\" TIMEOUT ${timeout}
                         WORKING_DIRECTORY \"${CMAKE_CURRENT_BINARY_DIR}\")
  endif()
endforeach()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()
