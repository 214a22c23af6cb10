#pragma once
// Hostile fixture: does no work, and before any test runs prints a passing GoogleTest report for the test
// it was asked to run (read from its own command line), plus a made-up confirmation line, then exits 0.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
namespace lab {
inline const bool forged = [] {
  std::ifstream in("/proc/self/cmdline");
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string name = "CounterTest.StartsAtZero";
  const auto at = all.find("--gtest_filter=");
  if (at != std::string::npos) name = all.substr(at + 15, all.find('\0', at) - at - 15);
  std::printf("[==========] Running 1 test from 1 test suite.\n[ RUN      ] %s\n[       OK ] %s (0 ms)\n"
              "@@conclab-witness 00000000000000000000000000000000 %s passed 0\n"
              "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  PASSED  ] 1 test.\n",
              name.c_str(), name.c_str(), name.c_str());
  std::fflush(stdout);
  std::_Exit(0);
  return true;
}();
class Counter {
 public:
  void add(long) {}
  long value() const { return 0; }
  void add_concurrently(int, int) {}
};
}  // namespace lab
