# Build options shared by every target: warnings, sanitizers, and an in-source-build guard.
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
  message(FATAL_ERROR "In-source builds are not supported; use a preset: cmake --preset dev")
endif()

option(BGW_WERROR "Treat warnings as errors" OFF)
set(BGW_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")

add_library(bgw_warnings INTERFACE)
target_compile_options(bgw_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                              -Wnon-virtual-dtor -Wno-missing-field-initializers)
# GCC 12 reports std::variant of empty structs as maybe-uninitialized at -O2 (a false positive).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(bgw_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
# GCC 12 at -O2 reports std::string's operator+(const char*, std::string&&) as an overlapping
# memcpy (-Wrestrict; GCC bug 105651, fixed in GCC 13): seven sites in a Release build, none real.
# Optimised builds only: Debug never warns, and its command lines (and ccache) stay as they were.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(bgw_warnings INTERFACE $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict>)
endif()
if(BGW_WERROR)
  target_compile_options(bgw_warnings INTERFACE -Werror)
endif()

add_library(bgw_sanitize INTERFACE)
if(BGW_SANITIZE)
  # Any report fails the test that caused it: UBSan would otherwise print and carry on.
  set(bgw_sanitize_flags -fsanitize=${BGW_SANITIZE} -fno-sanitize-recover=all)
  # Clang 14 cannot emit UBSan's function-type check in a coroutine's frame ("Cannot represent a
  # difference across sections" on every Asio coroutine): leave that one check out.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND BGW_SANITIZE MATCHES "undefined")
    list(APPEND bgw_sanitize_flags -fno-sanitize=function)
  endif()
  target_compile_options(bgw_sanitize INTERFACE ${bgw_sanitize_flags} -fno-omit-frame-pointer)
  target_link_options(bgw_sanitize INTERFACE ${bgw_sanitize_flags})
endif()

# Asio: no deprecated APIs, and io_uring stays off (epoll is what we measured against).
add_library(bgw_asio INTERFACE)
target_link_libraries(bgw_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(bgw_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
