// engine/process: timeouts that kill the whole group, signals, output caps, resource limits.
#include <gtest/gtest.h>

#include <csignal>

#include "engine/process.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

TEST(ProcessTest, TimeoutKillsTheWholeGroup) {
  ProcessOptions p;
  // The shell starts a grandchild that would outlive a kill of the shell alone.
  p.argv = {"sh", "-c", "sleep 30 & sleep 30"};
  p.timeout = std::chrono::milliseconds(300);
  const ProcessResult r = run_process(p);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.seconds, 10) << "the runner must not wait for the grandchild";
}

TEST(ProcessTest, ReportsSignalsAndCapsOutput) {
  ProcessOptions p;
  p.argv = {"sh", "-c", "yes x | head -c 100000; kill -SEGV $$"};
  p.output_cap = 1000;
  p.timeout = std::chrono::seconds(20);
  const ProcessResult r = run_process(p);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.output.size(), 1000u);
  EXPECT_TRUE(r.output_truncated);
}

TEST(ProcessTest, AppliesResourceLimits) {
  ProcessOptions p;
  p.argv = {"sh", "-c", "ulimit -n"};
  p.rlimits = {{RLIMIT_NOFILE, 37}};
  p.timeout = std::chrono::seconds(20);
  const ProcessResult r = run_process(p);
  EXPECT_EQ(r.output, "37\n");
}

}  // namespace
}  // namespace conclab
