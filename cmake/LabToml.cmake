# The few lab.toml keys the build needs, read straight from the file so that lab.toml stays the one
# source of truth. CMake has no TOML parser, so these keys must be written on one line:
#   id = "00.01"            files = ["a.hpp", "b.cpp"]            link = ["TBB::tbb"]
# `conclab maint lint` (part of scripts/test.sh) rejects a lab.toml that breaks this rule.

function(_lab_toml_line file key out)
  file(STRINGS "${file}" lines REGEX "^[ \t]*${key}[ \t]*=")
  list(LENGTH lines n)
  if(n GREATER 1)
    message(FATAL_ERROR "${file}: '${key}' is set more than once")
  endif()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

function(lab_toml_get_string file key out)
  _lab_toml_line("${file}" "${key}" line)
  set(value "")
  if(line MATCHES "=[ \t]*\"([^\"]*)\"")
    set(value "${CMAKE_MATCH_1}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(lab_toml_get_list file key out)
  _lab_toml_line("${file}" "${key}" line)
  set(values "")
  if(line MATCHES "=[ \t]*\\[([^]]*)\\]")
    string(REGEX MATCHALL "\"[^\"]*\"" quoted "${CMAKE_MATCH_1}")
    foreach(q IN LISTS quoted)
      string(REGEX REPLACE "^\"(.*)\"$" "\\1" v "${q}")
      list(APPEND values "${v}")
    endforeach()
  elseif(line AND NOT line MATCHES "=[ \t]*\\[")
    message(FATAL_ERROR "${file}: '${key}' must be an array on one line, like ${key} = [\"a\", \"b\"]")
  endif()
  set(${out} "${values}" PARENT_SCOPE)
endfunction()
