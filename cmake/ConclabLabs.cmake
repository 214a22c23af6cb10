# The labs of this build tree. CMake does not read lab.toml: the conclab CLI does (tools/conclab/src/model/lab.cpp,
# the one reader), and writes what this tree holds as calls of the two functions below (`conclab maint labs
# --cmake default|tsan|bench`, generated into the build tree at configure time and again whenever a lab.toml,
# a lab folder or a test file appears or changes).
#
#   conclab_lab(ID <id> DIR <lab folder> TESTS <x_test.cpp>... BENCHMARKS <x_bench.cpp>... SOURCES <editable .cpp>... LINK <target>...)
#   conclab_impl(LAB <id> WHO <starter|naive|improved|final|wrong/slug> DIR <folder> [TARGET <name>] [BENCH_TARGET <name>] [CONTRACT] [ON_DEMAND])
#
# Per implementation: TARGET, the graded tests compiled against DIR (the learner's target is only built on
# demand, by conclab); BENCH_TARGET, its benchmark (on demand; the bench tree only); CONTRACT, a CTest test
# "contract/<id>/<who>" that runs `conclab maint verify`, which applies the lab contract (docs/authoring.md);
# ON_DEMAND, a target the tree's build leaves out (the sim tree's variants with no sim claim: `conclab explore`).

# Every graded test program of the tree (the learner's, and each reference and wrong version's) is built the same
# way, so that the contract checks judge the reference versions exactly as `conclab check` and `conclab grade`
# judge a learner's code: CONCLAB_TEST_FLAGS and one precompiled header. The presets set -O0 -g1 under clang in
# the default and TSan trees: the graded tests assert behaviour, not speed, and a learner waits for this
# compile after every edit (01.08's test file: clang -O0 1.6 s, g++ -O1 3.5 s; docs/authoring.md, "Verdict
# latency"); line tables (-g1) are enough for gdb's stacks of a hung test and for ThreadSanitizer's reports.
# Benchmarks live in their own tree (bench: g++ -O2).
set(_conclab_test_flags ${CONCLAB_TEST_FLAGS})
# The sim tree: ThreadSanitizer's instrumentation without its runtime. Every plain load and store calls into
# the explorer (support/src/sim/plain.cpp), which checks it for data races by happens-before on every schedule.
if(CONCLAB_TREE STREQUAL "sim")
  list(APPEND _conclab_test_flags -fsanitize=thread)
endif()
add_library(conclab_test_pch OBJECT EXCLUDE_FROM_ALL "${CMAKE_CURRENT_LIST_DIR}/pch.cpp")
target_compile_options(conclab_test_pch PRIVATE ${_conclab_test_flags})
target_link_libraries(conclab_test_pch PRIVATE conclab::flags conclab::support GTest::gtest)
target_precompile_headers(conclab_test_pch PRIVATE "${CMAKE_CURRENT_LIST_DIR}/test_pch.hpp")

add_custom_target(conclab_starters)        # builds every learner target (scripts/test.sh)
add_custom_target(conclab_benchmarks)      # builds every reference version's benchmark

# conclab_lab() opens a lab; the conclab_impl() calls after it belong to it.
macro(conclab_lab)
  cmake_parse_arguments(_conclab_lab "" "ID;DIR" "TESTS;BENCHMARKS;SOURCES;LINK" ${ARGN})
endmacro()

function(_conclab_target target kind impl_dir sources)
  if(kind STREQUAL "bench")
    add_executable(${target} EXCLUDE_FROM_ALL ${sources})
    target_link_libraries(${target} PRIVATE benchmark::benchmark_main)
  elseif(CONCLAB_TREE STREQUAL "sim")
    # The sim tree runs a program's CONCLAB_SIM_TESTs only, under the explorer (conclab_sim_main).
    add_executable(${target} ${sources})
    target_link_libraries(${target} PRIVATE conclab::sim_main GTest::gmock)
    target_compile_options(${target} PRIVATE ${_conclab_test_flags})
    target_precompile_headers(${target} REUSE_FROM conclab_test_pch)
  else()
    add_executable(${target} ${sources})
    target_link_libraries(${target} PRIVATE GTest::gtest_main GTest::gmock)
    target_compile_options(${target} PRIVATE ${_conclab_test_flags})
    target_precompile_headers(${target} REUSE_FROM conclab_test_pch)
  endif()
  foreach(f IN LISTS _conclab_lab_SOURCES)
    target_sources(${target} PRIVATE "${impl_dir}/${f}")
  endforeach()
  # The implementation folder comes first: tests include the editable headers by bare name.
  target_include_directories(${target} PRIVATE "${impl_dir}" "${_conclab_lab_DIR}")
  target_link_libraries(${target} PRIVATE conclab::flags conclab::support ${_conclab_lab_LINK})
endfunction()

function(conclab_impl)
  cmake_parse_arguments(I "CONTRACT;ON_DEMAND" "LAB;WHO;DIR;TARGET;BENCH_TARGET" "" ${ARGN})
  if(I_TARGET)
    _conclab_test_program()
  endif()
  if(I_BENCH_TARGET)
    set(benches "")
    foreach(b IN LISTS _conclab_lab_BENCHMARKS)
      list(APPEND benches "${_conclab_lab_DIR}/${b}")
    endforeach()
    _conclab_target(${I_BENCH_TARGET} bench "${I_DIR}" "${benches}")
    if(NOT I_WHO STREQUAL "starter")
      add_dependencies(conclab_benchmarks ${I_BENCH_TARGET})
    endif()
  endif()
endfunction()

# The graded test program of one implementation (called from conclab_impl, whose variables it sees).
macro(_conclab_test_program)
  set(tests "")
  foreach(t IN LISTS _conclab_lab_TESTS)
    list(APPEND tests "${_conclab_lab_DIR}/${t}")
  endforeach()
  _conclab_target(${I_TARGET} test "${I_DIR}" "${tests}")
  if(I_WHO STREQUAL "starter")
    set_target_properties(${I_TARGET} PROPERTIES EXCLUDE_FROM_ALL ON)  # conclab builds it on demand
    add_dependencies(conclab_starters ${I_TARGET})
  elseif(I_ON_DEMAND)
    set_target_properties(${I_TARGET} PROPERTIES EXCLUDE_FROM_ALL ON)  # for `conclab explore --against`, not the suite
  endif()
  if(I_CONTRACT AND _conclab_cli)
    add_test(NAME "contract/${I_LAB}/${I_WHO}"
             COMMAND "${_conclab_cli}" --root "${PROJECT_SOURCE_DIR}" maint verify ${I_LAB} --variant ${I_WHO} --build-dir "${PROJECT_BINARY_DIR}")
    string(REGEX REPLACE "/.*" "" family "${I_WHO}")  # wrong/<slug> -> wrong
    set_tests_properties("contract/${I_LAB}/${I_WHO}" PROPERTIES LABELS "contract;${family}" SKIP_RETURN_CODE 77)
  endif()
endmacro()

# Asks conclab for this tree's labs (or takes CONCLAB_LAB_FACTS), and re-asks whenever the labs may have changed.
function(conclab_add_labs)
  set(tree "${CONCLAB_TREE}")
  set(facts "${CONCLAB_LAB_FACTS}")
  set(_conclab_cli "")  # also runs the contract tests; none without it (the grader's scratch copies)
  if(facts STREQUAL "")
    set(_conclab_cli "${CONCLAB_CLI}")
    if(_conclab_cli STREQUAL "" AND EXISTS "${PROJECT_SOURCE_DIR}/conclab")
      set(_conclab_cli "${PROJECT_SOURCE_DIR}/conclab")  # the wrapper: builds the CLI into build/cli when it must
      message(STATUS "Asking conclab for the labs (the first time, ./conclab builds it: about a minute)")
    elseif(_conclab_cli STREQUAL "")
      message(FATAL_ERROR "This build needs the conclab CLI to know its labs: configure with -DCONCLAB_CLI=<path to conclab>.")
    endif()
    set(facts "${PROJECT_BINARY_DIR}/conclab-labs.cmake")
    execute_process(COMMAND "${_conclab_cli}" --root "${PROJECT_SOURCE_DIR}" maint labs --cmake ${tree} --out "${facts}"
                    RESULT_VARIABLE failed OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(failed)
      message(FATAL_ERROR "conclab could not read the labs:\n${output}")
    endif()
    # Ask again when a lab appears (its lab.toml or a test file) or a lab.toml changes.
    file(GLOB lab_files CONFIGURE_DEPENDS LIST_DIRECTORIES false
         "${PROJECT_SOURCE_DIR}/labs/*/*/lab.toml" "${PROJECT_SOURCE_DIR}/labs/*/*/*_test.cpp" "${PROJECT_SOURCE_DIR}/labs/*/*/*_bench.cpp"
         "${PROJECT_SOURCE_DIR}/projects/*/lab.toml" "${PROJECT_SOURCE_DIR}/projects/*/*_test.cpp" "${PROJECT_SOURCE_DIR}/projects/*/*_bench.cpp")
    file(GLOB tomls "${PROJECT_SOURCE_DIR}/labs/*/*/lab.toml" "${PROJECT_SOURCE_DIR}/projects/*/lab.toml")
    set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${tomls})
  endif()
  include("${facts}")
endfunction()
