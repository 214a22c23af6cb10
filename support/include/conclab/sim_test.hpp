// CONCLAB_SIM_TEST(Suite, Name) { ... }: a GoogleTest test written once and run two ways.
//
//   CONCLAB_SIM_TEST(QueueTest, PopWaitsForPush) {
//     Queue q;
//     conclab::sync::jthread consumer([&] { EXPECT_EQ(q.pop(), 1); });
//     q.push(1);
//   }
//
// In the sim build (CONCLAB_SIM) the body runs under conclab::sim::explore: every schedule with at most two
// preemptions, depth first, and a failure prints the schedule that broke it, step by step, with the string
// that replays it. In the other builds the body runs kStressRuns times on real threads (and, in the TSan
// build, under ThreadSanitizer).
//
// The explorer's options come from the environment, so `conclab explore` can change them without a rebuild:
//   CONCLAB_SIM_MODE=exhaustive|random|replay  CONCLAB_SIM_PREEMPTIONS=N  CONCLAB_SIM_SEED=S  CONCLAB_SIM_RUNS=N
//   CONCLAB_SIM_REPLAY=<the string a failure printed>
//   CONCLAB_SIM_PLAY_OUT=<file> CONCLAB_SIM_PLAY=<choices> [CONCLAB_SIM_PLAY_HINT=1]   (`conclab play`)
#pragma once

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "conclab/sync.hpp"

// CONCLAB_TEST_BOOKKEEPING(); as the first statement of a test's own helper (a tracker, a log of callbacks):
// from there until that function returns, its plain memory accesses and those of everything it calls are the
// test's bookkeeping, not the program's, so the explorer does not check them for data races. Guard the helper's
// state with a plain std::mutex, not a conclab::sync one: the explorer does not switch inside a function with no
// conclab::sync operation, so the lock is always free there, and its locking adds no schedules to explore. It must
// be a macro: "until return" is the caller's frame. Outside the sim build it does nothing.
#if defined(CONCLAB_SIM)
#include "conclab/sim/detail.hpp"
#define CONCLAB_TEST_BOOKKEEPING() ::conclab::sim::detail::unchecked_until_return()
#else
#define CONCLAB_TEST_BOOKKEEPING() static_cast<void>(0)
#endif

#if defined(CONCLAB_SIM)
#include "conclab/sim/detail.hpp"
#include "conclab/sim/sim.hpp"

namespace conclab::sim {

// Hands each failed EXPECT_/ASSERT_ of a body to the explorer, which then stops that schedule and prints it.
// GoogleTest failures inside the explorer: each one fails the current schedule, and the explorer decides whether it
// counts. A schedule can be dropped after the fact (it read a value early that no later store provided, see
// Options::load_buffering), so failures are held per schedule and reported only for the schedule that failed.
struct HeldFailures {
  ::testing::TestPartResultArray unused;  // the base class wants one; ours are in `held`
  std::vector<::testing::TestPartResult> held;
};
class FailureHolder : private HeldFailures, public ::testing::ScopedFakeTestPartResultReporter {
 public:
  FailureHolder() : ScopedFakeTestPartResultReporter(INTERCEPT_ALL_THREADS, &unused) {}
  void ReportTestPartResult(const ::testing::TestPartResult& result) override {
    detail::unchecked_until_return();  // the test framework's bookkeeping, not the program's memory
    held.push_back(result);
    if (result.failed() && active()) report_failure("the assertion above failed");
  }
  void new_schedule() {
    detail::unchecked_until_return();
    held.clear();
  }
  std::vector<::testing::TestPartResult> take() { return std::move(held); }
};

inline std::vector<std::string>& sim_test_names() {
  static std::vector<std::string> names;
  return names;
}
struct SimTestRegistration {
  SimTestRegistration(const char* suite, const char* name) { sim_test_names().push_back(std::string(suite) + "." + name); }
};

inline Options options_from_environment() {
  Options o;
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
  };
  if (const std::string m = env("CONCLAB_SIM_MODE"); m == "random") {
    o.mode = Mode::kRandom;
  } else if (m == "replay") {
    o.mode = Mode::kReplay;
  }
  if (const std::string v = env("CONCLAB_SIM_PREEMPTIONS"); !v.empty()) o.preemptions = std::stoi(v);
  if (const std::string v = env("CONCLAB_SIM_SEED"); !v.empty()) o.seed = std::stoull(v);
  if (const std::string v = env("CONCLAB_SIM_RUNS"); !v.empty()) o.runs = std::stoi(v);
  if (env("CONCLAB_SIM_LOAD_BUFFERING") == "0") o.load_buffering = false;
  if (const std::string v = env("CONCLAB_SIM_REPLAY"); !v.empty()) {
    o.replay = v;
    o.mode = Mode::kReplay;
  }
  // `conclab play`: the player's choices so far ("1,2,2"), and where the game's state goes; or, with
  // CONCLAB_SIM_PLAY_HINT=1, a search under the game's rules for a winning line.
  if (const std::string out = env("CONCLAB_SIM_PLAY_OUT"); !out.empty()) {
    o.play_out = out;
    o.spurious = false;
    o.load_buffering = false;
    if (env("CONCLAB_SIM_PLAY_HINT") == "1") {
      o.mode = Mode::kExhaustive;
      o.play_rules = true;
    } else {
      o.mode = Mode::kPlay;
      const std::string moves = env("CONCLAB_SIM_PLAY");
      for (std::size_t i = 0; i < moves.size();) {
        const std::size_t end = std::min(moves.find(',', i), moves.size());
        if (end > i) o.play.push_back(std::stoi(moves.substr(i, end - i)));
        i = end + 1;
      }
    }
  }
  return o;
}

inline void run_sim_test(void (*body)(), const char* file, int line) {
  Result r;
  std::vector<::testing::TestPartResult> failures;
  {
    FailureHolder holder;
    r = explore([&] { holder.new_schedule(); body(); }, options_from_environment());
    failures = holder.take();
  }
  if (r.passed()) {
    ::testing::Test::RecordProperty("sim", r.report());
    std::printf("[   SIM    ] %s\n", r.report().c_str());
    return;
  }
  for (const auto& f : failures) {
    ADD_FAILURE_AT(f.file_name() != nullptr ? f.file_name() : file, f.line_number() >= 0 ? f.line_number() : line) << f.message();
  }
  const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ADD_FAILURE_AT(file, line) << "conclab::sim: " << r.report() << "\nReplay it: conclab explore <lab> " << name << " --replay '"
                             << r.replay << "' (or CONCLAB_SIM_REPLAY='" << r.replay << "' for this test program)";
}

}  // namespace conclab::sim

#define CONCLAB_SIM_TEST(suite, name)                                                                          \
  static void conclab_sim_body_##suite##_##name();                                                             \
  static const ::conclab::sim::SimTestRegistration conclab_sim_registration_##suite##_##name(#suite, #name);    \
  TEST(suite, name) { ::conclab::sim::run_sim_test(&conclab_sim_body_##suite##_##name, __FILE__, __LINE__); }  \
  static void conclab_sim_body_##suite##_##name()

#else

namespace conclab::sim {
inline int threads_started() { return -1; }  // the explorer's count; nothing counts them on real threads
inline int threads_started_before_first_join() { return -1; }
inline void explain(const std::string&) {}  // the explorer's: what a deadlock or lost wakeup of the body means
inline constexpr int kStressRuns = 20;
// Set by `conclab maint verify` for a variant that must fail an exact set of tests: the stress version of a sim
// test would fail for a buggy variant in some runs only, so it is skipped there (the sim tree decides it),
// unless lab.toml names it for this tree (CONCLAB_KEEP_SIM_TESTS=":Suite.Name:...:").
inline bool skip_stress_runs() {
  if (std::getenv("CONCLAB_SKIP_SIM_TESTS") == nullptr) return false;
  const char* keep = std::getenv("CONCLAB_KEEP_SIM_TESTS");
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = ":" + std::string(info->test_suite_name()) + "." + info->name() + ":";
  return keep == nullptr || std::string(keep).find(name) == std::string::npos;
}
}  // namespace conclab::sim

#define CONCLAB_SIM_TEST(suite, name)                                                                  \
  static void conclab_sim_body_##suite##_##name();                                                     \
  TEST(suite, name) {                                                                                  \
    if (::conclab::sim::skip_stress_runs()) GTEST_SKIP() << "a sim test; decided by the explorer in the sim build"; \
    for (int run = 0; run < ::conclab::sim::kStressRuns && !::testing::Test::HasFailure(); ++run) {   \
      conclab_sim_body_##suite##_##name();                                                             \
    }                                                                                                  \
  }                                                                                                    \
  static void conclab_sim_body_##suite##_##name()

#endif
