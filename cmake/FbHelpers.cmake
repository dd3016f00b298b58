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

# fb_test(feeds_test SOURCES ... DEPS fb_feeds fb_test_support)
function(fb_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gmock GTest::gtest_main fb_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30
                       PROPERTIES LABELS ${name} ENVIRONMENT "FB_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
