// main() of a test program in the sim tree: only its CONCLAB_SIM_TESTs run (the explorer drives them); the
// ordinary tests need real threads, which the other trees give them. An explicit --gtest_filter is kept;
// CONCLAB_SIM_MATCH=text keeps only the sim tests whose name contains text (`conclab explore LAB TEST`).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "conclab/sim_test.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::testing::GTEST_FLAG(filter) == "*") {
    const char* match = std::getenv("CONCLAB_SIM_MATCH");
    std::string filter;
    for (const auto& name : conclab::sim::sim_test_names()) {
      if (match != nullptr && name.find(match) == std::string::npos) continue;
      filter += (filter.empty() ? "" : ":") + name;
    }
    ::testing::GTEST_FLAG(filter) = filter.empty() ? "-*" : filter;
  }
  return RUN_ALL_TESTS();
}
