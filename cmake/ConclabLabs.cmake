# Lab discovery: every labs/NN-module/MM-slug/lab.toml and projects/NN-slug/lab.toml is a lab.
# Adding a lab means adding its folders; nothing here changes.
#
# Targets per lab (id "00.01" -> "00_01"; capstone id "P01" -> "P01"):
#   lab_<id>_learner    graded tests against the learner's folder     (EXCLUDE_FROM_ALL: conclab builds it)
#   lab_<id>_<variant>  graded tests against solutions/.../<variant>  (naive, improved, final)
#   bench_<id>_<who>    the lab's benchmark, per implementation       (default tree only)
# CTest, per lab and variant: "contract/<id>/<variant>" runs `conclab maint verify`, which applies the
# lab contract (final/improved pass, naive fails exactly what lab.toml names, the starter is unsolved).

include(LabToml)

# One precompiled header for every test target of the tree: a one-line edit then recompiles in about
# a second instead of three (measured with g++ 12: 3.4 s -> 1.4 s for a small gtest file).
add_library(conclab_test_pch OBJECT "${CMAKE_CURRENT_LIST_DIR}/pch.cpp")
target_link_libraries(conclab_test_pch PRIVATE conclab::flags conclab::support GTest::gtest)
target_precompile_headers(conclab_test_pch PRIVATE "${CMAKE_CURRENT_LIST_DIR}/test_pch.hpp")

# The learner's test targets build at -O1 (with their own precompiled header, which must match their
# flags): the graded tests assert behaviour, not speed, and -O1 halves the re-check after an edit.
# Outside the sanitizer trees they also keep only line tables (-g1): enough for gdb's stacks of a hung
# test (functions, files, lines), and it takes the 00.01 compile from 3.2 s to 2.1 s. The sanitizer
# trees keep full -g for their reports. Benchmarks of the learner's code (bench_*_learner) keep the
# tree's full optimisation.
set(_conclab_learner_flags -O1)
if(CONCLAB_SANITIZER STREQUAL "")
  list(APPEND _conclab_learner_flags -g1)
endif()
add_library(conclab_learner_pch OBJECT "${CMAKE_CURRENT_LIST_DIR}/pch.cpp")
target_compile_options(conclab_learner_pch PRIVATE ${_conclab_learner_flags})
target_link_libraries(conclab_learner_pch PRIVATE conclab::flags conclab::support GTest::gtest)
target_precompile_headers(conclab_learner_pch PRIVATE "${CMAKE_CURRENT_LIST_DIR}/test_pch.hpp")

add_custom_target(conclab_starters)        # builds every learner target (scripts/test.sh)
add_custom_target(conclab_benchmarks)      # builds every benchmark

function(_conclab_impl_target target kind lab_dir impl_dir files link sources)
  if(kind STREQUAL "bench")
    add_executable(${target} EXCLUDE_FROM_ALL ${sources})
    target_link_libraries(${target} PRIVATE benchmark::benchmark_main)
  else()
    add_executable(${target} ${sources})
    target_link_libraries(${target} PRIVATE GTest::gtest_main GTest::gmock)
    if(target MATCHES "_learner$")
      target_compile_options(${target} PRIVATE ${_conclab_learner_flags})
      target_precompile_headers(${target} REUSE_FROM conclab_learner_pch)
    else()
      target_precompile_headers(${target} REUSE_FROM conclab_test_pch)
    endif()
  endif()
  foreach(f IN LISTS files)
    if(f MATCHES "\\.cpp$")
      target_sources(${target} PRIVATE "${impl_dir}/${f}")
    endif()
  endforeach()
  # The implementation folder comes first: tests include the editable headers by bare name.
  target_include_directories(${target} PRIVATE "${impl_dir}" "${lab_dir}")
  target_link_libraries(${target} PRIVATE conclab::flags conclab::support ${link})
endfunction()

function(conclab_add_lab lab_dir)
  set(toml "${lab_dir}/lab.toml")
  lab_toml_get_string("${toml}" id id)
  lab_toml_get_list("${toml}" files files)
  lab_toml_get_list("${toml}" link link)
  if(id STREQUAL "" OR files STREQUAL "")
    message(FATAL_ERROR "${toml}: 'id' and 'files' are required (see docs/authoring.md)")
  endif()
  string(REPLACE "." "_" tid "${id}")

  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${lab_dir}")
  if(rel MATCHES "^projects/")
    set(sol_dir "${PROJECT_SOURCE_DIR}/solutions/${rel}")
  else()
    string(REGEX REPLACE "^labs/" "" sub "${rel}")
    set(sol_dir "${PROJECT_SOURCE_DIR}/solutions/${sub}")
  endif()

  file(GLOB tests CONFIGURE_DEPENDS "${lab_dir}/*_test.cpp")
  file(GLOB benches CONFIGURE_DEPENDS "${lab_dir}/*_bench.cpp")
  if(tests STREQUAL "")
    message(FATAL_ERROR "${lab_dir}: a lab needs a <name>_test.cpp with its graded tests")
  endif()

  # The learner's build: only ever built on demand.
  _conclab_impl_target(lab_${tid}_learner test "${lab_dir}" "${lab_dir}" "${files}" "${link}" "${tests}")
  set_target_properties(lab_${tid}_learner PROPERTIES EXCLUDE_FROM_ALL ON)
  add_dependencies(conclab_starters lab_${tid}_learner)
  if(CONCLAB_SANITIZER STREQUAL "")
    # The starter must compile and leave work to do; checked in the default tree only.
    add_test(NAME "contract/${id}/starter"
             COMMAND ${CONCLAB_CLI_COMMAND} maint verify ${id} --variant starter --build-dir "${PROJECT_BINARY_DIR}"
             WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
    set_tests_properties("contract/${id}/starter" PROPERTIES LABELS "contract;starter")
  endif()

  foreach(variant IN ITEMS naive improved final)
    if(NOT IS_DIRECTORY "${sol_dir}/${variant}")
      continue()
    endif()
    _conclab_impl_target(lab_${tid}_${variant} test "${lab_dir}" "${sol_dir}/${variant}" "${files}" "${link}" "${tests}")
    add_test(NAME "contract/${id}/${variant}"
             COMMAND ${CONCLAB_CLI_COMMAND} maint verify ${id} --variant ${variant} --build-dir "${PROJECT_BINARY_DIR}"
             WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
    # 77: lab.toml makes no claim about this variant in this tree (naive without `fails` here).
    set_tests_properties("contract/${id}/${variant}" PROPERTIES LABELS "contract;${variant}" SKIP_RETURN_CODE 77)
  endforeach()

  if(benches AND CONCLAB_SANITIZER STREQUAL "")
    _conclab_impl_target(bench_${tid}_learner bench "${lab_dir}" "${lab_dir}" "${files}" "${link}" "${benches}")
    foreach(variant IN ITEMS naive improved final)
      if(IS_DIRECTORY "${sol_dir}/${variant}")
        _conclab_impl_target(bench_${tid}_${variant} bench "${lab_dir}" "${sol_dir}/${variant}" "${files}" "${link}" "${benches}")
        add_dependencies(conclab_benchmarks bench_${tid}_${variant})
      endif()
    endforeach()
  endif()
endfunction()

function(conclab_discover_labs)
  file(GLOB lab_tomls CONFIGURE_DEPENDS
       "${PROJECT_SOURCE_DIR}/labs/*/*/lab.toml"
       "${PROJECT_SOURCE_DIR}/projects/*/lab.toml")
  list(SORT lab_tomls)
  foreach(toml IN LISTS lab_tomls)
    get_filename_component(dir "${toml}" DIRECTORY)
    conclab_add_lab("${dir}")
  endforeach()
endfunction()
