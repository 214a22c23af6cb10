// `conclab bench LAB`: the lab's Google Benchmark, run once per implementation (yours, naive, improved,
// final) in one invocation, and a table of medians with the final/naive ratio.
#pragma once

#include <string>

#include "commands.hpp"

namespace conclab {

struct BenchArgs {
  std::string lab;
  int repetitions = 5;
  bool learner = true;        // include the learner's version
  bool markdown = false;      // print a markdown table
  bool write_readme = false;  // replace the table between <!-- bench:ID:begin/end --> in the lab's README
  double min_time = 0;        // seconds per benchmark (0: the library's default)
  std::string filter;         // a --benchmark_filter regex
};

int cmd_bench(Context& ctx, const BenchArgs& args);

}  // namespace conclab
