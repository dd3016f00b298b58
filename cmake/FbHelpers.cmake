# Shared build helpers: the warnings target, sanitizers, fb_library() and fb_test().

add_library(fb_warnings INTERFACE)
target_compile_options(fb_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                             -Wnon-virtual-dtor
                                             # Designated initializers may leave defaulted fields out.
                                             -Wno-missing-field-initializers)
if(FB_WERROR)
  target_compile_options(fb_warnings INTERFACE -Werror)
endif()

if(FB_SANITIZE)
  string(REPLACE ";" "," _fb_san "${FB_SANITIZE}")
  add_compile_options(-fsanitize=${_fb_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_fb_san})
endif()

# fb_library(fb_feeds SOURCES ... DEPS fb_common PRIVATE_DEPS LibXml2::LibXml2)
function(fb_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS} fb_warnings)
endfunction()

# What a role (poller/, and the coming publisher/ and listener) may not include: the adapters and
# the libraries behind them. Only app/wiring.cc names them.
set(FB_ADAPTER_INCLUDES
    "<hiredis/" "<Poco/Data/" "<Poco/Net/" "\"queue/redis_" "\"store/sql_" "\"store/sqlite_"
    "\"store/migrations.h\"" "\"http/poco_" "\"http/multiplexer.h\"" "\"http/connection.h\""
    "\"http/host_" "\"http/body_reader.h\"" "\"http/response_parser.h\""
    "\"http/address_policy.h\"" "\"http/connection_pool.h\"")

# fb_check_includes(fb_poller FORBID ${FB_ADAPTER_INCLUDES} ALLOW ...): building `name` first
# checks every .h and .cc of the calling folder, and fails when an #include line contains a FORBID
# substring and no ALLOW one (the link graph alone would not stop a header-only use).
function(fb_check_includes name)
  cmake_parse_arguments(A "" "" "FORBID;ALLOW" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.h ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  string(REPLACE ";" "|" files_arg "${files}")
  string(REPLACE ";" "|" forbid_arg "${A_FORBID}")
  string(REPLACE ";" "|" allow_arg "${A_ALLOW}")
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${name}_includes.stamp)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} "-DFILES=${files_arg}" "-DFORBID=${forbid_arg}"
            "-DALLOW=${allow_arg}" "-DMODULE=${name}" "-DROOT=${PROJECT_SOURCE_DIR}"
            "-DSTAMP=${stamp}" -P ${PROJECT_SOURCE_DIR}/cmake/CheckIncludes.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/CheckIncludes.cmake
    COMMENT "Checking the includes of ${name} against the dependency rule"
    VERBATIM)
  add_custom_target(${name}_includes DEPENDS ${stamp})
  add_dependencies(${name} ${name}_includes)
endfunction()

# fb_test(feeds_test SOURCES ... DEPS fb_feeds fb_test_support)
function(fb_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gmock GTest::gtest_main fb_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30
                       PROPERTIES LABELS ${name} ENVIRONMENT "FB_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
