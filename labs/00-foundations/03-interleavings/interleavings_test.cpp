// Graded tests for lab 00.03, interleavings. Lesson: modules/00-foundations/03-why-it-is-hard.md
//
// Everything here is a pure function of its input, so every test is deterministic by nature: no
// threads run. The programs are the classics of the lesson: the lost update (x++ on two threads), the
// same with one atomic fetch_add, store buffering and message passing under sequential consistency.
#include <interleavings.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/00-foundations/03-why-it-is-hard.md";

using lab::fetch_add;
using lab::load;
using lab::Outcome;
using lab::store;
using lab::Thread;

// x++ written as two steps: load into a register, store the register plus one.
Thread increments(int times, const std::string& reg) {
  Thread t;
  for (int i = 0; i < times; ++i) {
    t.push_back(load(reg, "x"));
    t.push_back(store("x", reg, 1));
  }
  return t;
}

// The values of `names`, in that order, in each outcome: {{1}, {2}} for x in the lost update.
std::set<std::vector<int>> project(const std::set<Outcome>& all, const std::vector<std::string>& names) {
  std::set<std::vector<int>> out;
  for (const Outcome& o : all) {
    std::vector<int> row;
    for (const std::string& n : names) {
      const auto it = o.find(n);
      row.push_back(it == o.end() ? -999 : it->second);  // -999: the name is missing from the outcome
    }
    out.insert(row);
  }
  return out;
}

std::string show(const std::set<std::vector<int>>& rows, const std::vector<std::string>& names) {
  std::ostringstream s;
  s << "{";
  bool first_row = true;
  for (const auto& row : rows) {
    s << (first_row ? " " : ", ") << "(";
    for (std::size_t i = 0; i < row.size(); ++i) s << (i ? ", " : "") << names[i] << "=" << row[i];
    s << ")";
    first_row = false;
  }
  s << " }";
  return s.str();
}

std::string show(const std::vector<std::string>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : " \"") + v[i] + "\"";
  return s + " }";
}

// C(n + m, n) by Pascal's triangle, for the small sizes the tests list.
std::uint64_t binomial(std::size_t n, std::size_t m) {
  std::vector<std::vector<std::uint64_t>> c(n + 1, std::vector<std::uint64_t>(m + 1, 1));
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) c[i][j] = c[i - 1][j] + c[i][j - 1];
  }
  return c[n][m];
}

TEST(InterleavingsTest, SchedulesOfTwoStepsEach) {
  const std::vector<std::string> want{"AABB", "ABAB", "ABBA", "BAAB", "BABA", "BBAA"};
  const std::vector<std::string> got = lab::schedules(2, 2);
  EXPECT_EQ(got, want) << "two threads of two steps each interleave in 6 ways, listed here in lexicographic "
                          "order; you returned "
                       << show(got) << ". Only AABB and BBAA run one thread entirely before the other: the "
                       << "other four are where concurrency bugs live. See \"Interleavings\" in " << kLesson;
}

TEST(InterleavingsTest, ScheduleCountIsBinomial) {
  for (std::size_t n = 0; n <= 6; ++n) {
    for (std::size_t m = 0; m <= 6; ++m) {
      const std::vector<std::string> got = lab::schedules(n, m);
      const std::set<std::string> distinct(got.begin(), got.end());
      EXPECT_EQ(got.size(), binomial(n, m))
          << "schedules(" << n << ", " << m << ") should list C(" << n + m << ", " << n << ") = " << binomial(n, m)
          << " schedules: choose which " << n << " of the " << n + m << " time slots are A's. See " << kLesson;
      EXPECT_EQ(distinct.size(), got.size()) << "schedules(" << n << ", " << m << ") lists some schedule twice";
      for (const std::string& s : got) {
        const auto as = static_cast<std::size_t>(std::count(s.begin(), s.end(), 'A'));
        const auto bs = static_cast<std::size_t>(std::count(s.begin(), s.end(), 'B'));
        EXPECT_TRUE(as == n && bs == m && s.size() == n + m)
            << "\"" << s << "\" in schedules(" << n << ", " << m << ") must hold exactly " << n << " 'A's and " << m
            << " 'B's: every step of each thread runs exactly once";
      }
      if (HasFailure()) return;  // one wrong size says it all; don't repeat it for every (n, m)
    }
  }
}

TEST(InterleavingsTest, CountSchedulesIsExactForLongThreads) {
  EXPECT_EQ(lab::count_schedules(0, 5), 1u) << "a thread with no steps leaves exactly one schedule: B's steps in order";
  EXPECT_EQ(lab::count_schedules(1, 40), 41u) << "one A step can go in any of the 41 gaps around B's 40 steps";
  EXPECT_EQ(lab::count_schedules(10, 10), 184'756u) << "C(20, 10) = 184756: two threads of 10 steps. See " << kLesson;
  EXPECT_EQ(lab::count_schedules(30, 30), 118'264'581'564'861'424u)
      << "C(60, 30): two threads of only 30 steps each have about 1.2e17 interleavings, which is why running a "
         "test a few thousand times proves nothing. Compute it with a table (Pascal's triangle), not by listing. "
         "See "
      << kLesson;
  EXPECT_EQ(lab::count_schedules(33, 33), 7'219'428'434'016'265'740u)
      << "C(66, 33) still fits in 64 bits and must come out exact";
}

TEST(InterleavingsTest, CountSchedulesRefusesToOverflow) {
  EXPECT_THROW(static_cast<void>(lab::count_schedules(34, 34)), std::overflow_error)
      << "C(68, 34) is about 2.8e19, more than a std::uint64_t holds (1.8e19): throw std::overflow_error "
         "instead of returning a wrapped-around number. Check before each addition: a + b overflows exactly "
         "when b > max - a";
}

TEST(InterleavingsTest, RunScheduleFollowsTheSchedule) {
  const Thread a = increments(1, "r1");
  const Thread b = increments(1, "r2");
  const Outcome sequential = lab::run_schedule(a, b, "AABB");
  EXPECT_EQ(sequential, (Outcome{{"r1", 0}, {"r2", 1}, {"x", 2}}))
      << "AABB runs A's x++ completely, then B's: B loads 1 and stores 2. See " << kLesson;
  const Outcome interleaved = lab::run_schedule(a, b, "ABAB");
  EXPECT_EQ(interleaved, (Outcome{{"r1", 0}, {"r2", 0}, {"x", 1}}))
      << "ABAB: both threads load x = 0 before either stores, so both store 1 and one increment is lost. "
         "Every name of the program must be in the outcome, with 0 for what was never written. See "
      << kLesson;
}

TEST(InterleavingsTest, RunScheduleRejectsBadSchedules) {
  const Thread a = increments(1, "r1");
  const Thread b = increments(1, "r2");
  for (const char* bad : {"AAB", "AABBB", "AAAB", "ABXB", ""}) {
    EXPECT_THROW(static_cast<void>(lab::run_schedule(a, b, bad)), std::invalid_argument)
        << "\"" << bad << "\" is not a schedule of two 2-step threads (it needs exactly two 'A's and two 'B's); "
        << "run_schedule must throw std::invalid_argument rather than run a step that does not exist";
  }
}

TEST(InterleavingsTest, LostUpdate) {
  const Thread a = increments(1, "r1");
  const Thread b = increments(1, "r2");
  const auto got = project(lab::outcomes(a, b), {"x"});
  const std::set<std::vector<int>> want{{1}, {2}};
  EXPECT_EQ(got, want) << "A: r1 = x; x = r1 + 1   B: r2 = x; x = r2 + 1. x can end as 2, but also as 1 when "
                          "both load before either stores (4 of the 6 schedules). You found x in "
                       << show(got, {"x"}) << ". Each step here is atomic, and the update is still lost: a race "
                       << "condition, not a data race. See \"The lost update, drawn\" in " << kLesson;
}

TEST(InterleavingsTest, FetchAddIsOneStep) {
  const Thread a{fetch_add("x", 1, "r1")};
  const Thread b{fetch_add("x", 1, "r2")};
  const auto got = project(lab::outcomes(a, b), {"x", "r1", "r2"});
  const std::set<std::vector<int>> want{{2, 0, 1}, {2, 1, 0}};
  EXPECT_EQ(got, want) << "with one indivisible read-modify-write per thread (conclab::sync::atomic's fetch_add) nothing is "
                          "lost: x is always 2, and exactly one thread saw the old value 0. You found "
                       << show(got, {"x", "r1", "r2"}) << ". See " << kLesson;
}

TEST(InterleavingsTest, StoreBufferingUnderSequentialConsistency) {
  const Thread a{store("x", 1), load("r1", "y")};
  const Thread b{store("y", 1), load("r2", "x")};
  const auto got = project(lab::outcomes(a, b), {"r1", "r2"});
  const std::set<std::vector<int>> want{{0, 1}, {1, 0}, {1, 1}};
  EXPECT_EQ(got, want) << "A: x = 1; r1 = y   B: y = 1; r2 = x. In every interleaving some store runs first, so "
                          "at least one load sees a 1: (r1, r2) = (0, 0) is impossible under sequential "
                          "consistency. You found "
                       << show(got, {"r1", "r2"})
                       << ". (Real x86 cores DO produce (0, 0), through their store buffers: see "
                          "modules/00-foundations/04-the-hardware.md.) See "
                       << kLesson;
}

TEST(InterleavingsTest, MessagePassingUnderSequentialConsistency) {
  const Thread a{store("data", 42), store("flag", 1)};
  const Thread b{load("r1", "flag"), load("r2", "data")};
  const auto got = project(lab::outcomes(a, b), {"r1", "r2"});
  const std::set<std::vector<int>> want{{0, 0}, {0, 42}, {1, 42}};
  EXPECT_EQ(got, want) << "A publishes data then raises flag; B reads flag then data. Whoever sees flag = 1 also "
                          "sees data = 42, so (r1, r2) = (1, 0) cannot happen under sequential consistency. You "
                          "found "
                       << show(got, {"r1", "r2"}) << ". See " << kLesson;
}

TEST(InterleavingsTest, ThreeIncrementsEach) {
  const auto got = project(lab::outcomes(increments(3, "r1"), increments(3, "r2")), {"x"});
  const std::set<std::vector<int>> want{{2}, {3}, {4}, {5}, {6}};
  EXPECT_EQ(got, want) << "each thread does x++ three times (924 schedules). x can end anywhere from 2 to 6: not "
                          "just 6, and not as low as 1 or 3, either. The 2 needs A to load 0, B to run two whole "
                          "increments, A to store 1, B to load that 1, A to finish, and B to store 2 last. You "
                          "found "
                       << show(got, {"x"}) << ". See " << kLesson;
}

TEST(InterleavingsTest, OneStaleStoreUndoesManyIncrements) {
  const auto got = project(lab::outcomes(increments(1, "r1"), increments(4, "r2")), {"x"});
  const std::set<std::vector<int>> want{{1}, {2}, {3}, {4}, {5}};
  EXPECT_EQ(got, want) << "A does x++ once, B four times (45 schedules). x can end as low as 1: A loads 0, B runs "
                          "all four increments (x = 4), then A stores its stale 0 + 1. One late store wipes out "
                          "everything the other thread did since the load. You found "
                       << show(got, {"x"}) << ". See " << kLesson;
}

TEST(InterleavingsTest, OutcomesListEveryName) {
  const Thread a{store("x", 1)};
  const Thread b{load("r1", "x")};
  const std::set<Outcome> want{{{"r1", 0}, {"x", 1}}, {{"r1", 1}, {"x", 1}}};
  EXPECT_EQ(lab::outcomes(a, b), want)
      << "A: x = 1   B: r1 = x. B runs first (r1 = 0) or second (r1 = 1); each outcome maps every variable and "
         "register of the program to its final value, starting from initial_state(a, b). See "
      << kLesson;
}

TEST(InterleavingsTest, OneEmptyThreadHasOneOutcome) {
  const Thread a = increments(2, "r1");
  const auto got = project(lab::outcomes(a, {}), {"x"});
  EXPECT_EQ(got, (std::set<std::vector<int>>{{2}}))
      << "with a single thread there is a single schedule, so a single outcome: x++ twice gives 2. You found "
      << show(got, {"x"});
  const auto none = lab::outcomes({}, {});
  EXPECT_EQ(none, (std::set<Outcome>{Outcome{}}))
      << "two empty threads still have one schedule (the empty one) and one outcome (the empty state)";
}

}  // namespace
