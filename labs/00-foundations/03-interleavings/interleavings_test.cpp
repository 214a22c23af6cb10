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
#include <random>
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
                          "just 6, and never as low as 1. The 2 needs A to load 0, B to run two whole "
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

// ---------------------------------------------------------------------------------------------------
// Property tests: many generated inputs, checked against the test's own reference (written here, not
// taken from your file). A seeded std::mt19937 with a fixed seed makes every run try the same inputs, so
// a wrong solution fails on every run, and each message names the input that broke it.

constexpr std::uint32_t kSeed = 20260312;

// C(n + m, n) for every n, m <= kGrid by Pascal's triangle in 128 bits, saturated at 2^64 ("too big for
// 64 bits"): the exact answer wherever one fits.
constexpr std::size_t kGrid = 70;
using u128 = unsigned __int128;
constexpr u128 kTooBig = u128{1} << 64;

const std::vector<std::vector<u128>>& exact_counts() {
  static const std::vector<std::vector<u128>> c = [] {
    std::vector<std::vector<u128>> t(kGrid + 1, std::vector<u128>(kGrid + 1, 1));
    for (std::size_t i = 1; i <= kGrid; ++i) {
      for (std::size_t j = 1; j <= kGrid; ++j) t[i][j] = std::min(t[i - 1][j] + t[i][j - 1], kTooBig);
    }
    return t;
  }();
  return c;
}

std::string str(u128 v) {
  if (v == 0) return "0";
  std::string s;
  for (; v != 0; v /= 10) s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
  return s;
}

// What count_schedules(n, m) did: "returned 123", "threw std::overflow_error", "threw <something else>".
struct CountResult {
  bool returned = false;
  std::uint64_t value = 0;
  std::string what;
};

CountResult try_count(std::size_t n, std::size_t m) {
  CountResult r;
  try {
    r.value = lab::count_schedules(n, m);
    r.returned = true;
    r.what = "returned " + std::to_string(r.value);
  } catch (const std::overflow_error&) {
    r.what = "threw std::overflow_error";
  } catch (const std::exception& e) {
    r.what = std::string("threw ") + e.what();
  }
  return r;
}

// Checks one (n, m) against the exact count; returns a message for the first mismatch, "" if it is right.
std::string check_count(std::size_t n, std::size_t m, u128 exact) {
  const CountResult r = try_count(n, m);
  const std::string call = "count_schedules(" + std::to_string(n) + ", " + std::to_string(m) + ") ";
  if (exact >= kTooBig) {
    if (r.returned || r.what != "threw std::overflow_error") {
      return call + r.what + ", but C(" + std::to_string(n + m) + ", " + std::to_string(n) +
             ") does not fit in 64 bits: it must throw std::overflow_error. A wrapped-around count is silently "
             "wrong; check each addition (a + b overflows exactly when b > max - a). See " + kLesson;
    }
    return "";
  }
  if (!r.returned || r.value != exact) {
    return call + r.what + ", but the exact answer C(" + std::to_string(n + m) + ", " + std::to_string(n) +
           ") = " + str(exact) +
           " fits in 64 bits and must come back exactly. Pascal's rule count(n, m) = count(n-1, m) + count(n, "
           "m-1) with count(0, m) = count(n, 0) = 1 never makes a number bigger than the answer; a factorial, a "
           "product before a division, or a double (53 bits of mantissa) does. See \"Counting interleavings\" "
           "in " + kLesson;
  }
  return "";
}

TEST(InterleavingsTest, CountSchedulesIsExactOrThrowsForEveryPairUpTo70) {
  // Every (n, m) with n, m <= 70: inside the 64-bit range the exact value, past it std::overflow_error.
  // The boundary runs through (33, 33), (20, 59), (10, 313)-like pairs, and through (1, m) nowhere.
  const auto& exact = exact_counts();
  for (std::size_t n = 0; n <= kGrid; ++n) {
    for (std::size_t m = 0; m <= kGrid; ++m) {
      const std::string error = check_count(n, m, exact[n][m]);
      ASSERT_TRUE(error.empty()) << error << " (the first wrong pair on a walk through every n, m <= 70)";
    }
  }
}

TEST(InterleavingsTest, CountSchedulesIsExactForOneLongThread) {
  // One thread with a few steps against one with very many: the count is small (a polynomial in m) but
  // the pair is far outside any table of examples. Pairs drawn by a seeded generator, both orders. (At most
  // 20'000 steps, so that a memoised recursion, n + m calls deep, still fits on the stack.)
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<std::size_t> longer(71, 20'000);
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t few = static_cast<std::size_t>(trial % 5);  // 0 to 4 steps: C(20'004, 4) is 6.7e15
    const std::size_t many = longer(rng);
    u128 exact = 1;  // C(many + few, few) = (many+1)(many+2)...(many+few) / few!
    for (std::size_t k = 1; k <= few; ++k) exact = exact * (many + k) / k;
    const std::string error = check_count(few, many, exact);
    ASSERT_TRUE(error.empty()) << error;
    const std::string swapped = check_count(many, few, exact);
    ASSERT_TRUE(swapped.empty()) << swapped << " (count_schedules(n, m) == count_schedules(m, n): swap A and B)";
  }
  for (const std::size_t m : {std::size_t{19'999}, std::size_t{20'000}}) {
    const std::string error = check_count(1, m, m + 1);
    ASSERT_TRUE(error.empty()) << error << " (one step of A fits into any of the " << m + 1 << " gaps of B)";
  }
}

// The test's own list of schedules and its own run of one, from program.hpp's apply() alone.
void all_words(std::size_t n, std::size_t m, std::string& prefix, std::vector<std::string>& out) {
  if (n == 0 && m == 0) {
    out.push_back(prefix);
    return;
  }
  for (const char who : {'A', 'B'}) {
    std::size_t& left = who == 'A' ? n : m;
    if (left == 0) continue;
    --left;
    prefix.push_back(who);
    all_words(n, m, prefix, out);
    prefix.pop_back();
    ++left;
  }
}

std::vector<std::string> reference_schedules(std::size_t n, std::size_t m) {
  std::vector<std::string> out;
  std::string prefix;
  all_words(n, m, prefix, out);
  return out;
}

Outcome reference_run(const Thread& a, const Thread& b, const std::string& schedule) {
  Outcome state = lab::initial_state(a, b);
  std::size_t i = 0;
  std::size_t j = 0;
  for (const char who : schedule) lab::apply(who == 'A' ? a[i++] : b[j++], state);
  return state;
}

std::set<Outcome> reference_outcomes(const Thread& a, const Thread& b) {
  std::set<Outcome> out;
  for (const std::string& s : reference_schedules(a.size(), b.size())) out.insert(reference_run(a, b, s));
  return out;
}

std::string show(const Thread& t) {
  std::string s = "[";
  for (std::size_t i = 0; i < t.size(); ++i) s += (i ? "; " : "") + lab::to_string(t[i]);
  return s + "]";
}

std::string show(const Outcome& o) {
  std::string s = "{";
  bool first = true;
  for (const auto& [name, value] : o) {
    s += (first ? "" : ", ") + name + "=" + std::to_string(value);
    first = false;
  }
  return s + "}";
}

std::string show(const std::set<Outcome>& all) {
  std::string s = "{";
  bool first = true;
  for (const Outcome& o : all) {
    s += (first ? " " : ", ") + show(o);
    first = false;
  }
  return s + " }";
}

// A random thread of `len` steps on variables x and y, with registers named `r` + digit (so the two
// threads' registers differ), every kind of step, and small constants (some negative).
Thread random_thread(std::mt19937& rng, std::size_t len, char first_reg) {
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> constant(-2, 3);
  const std::vector<std::string> regs{std::string("r") + first_reg,
                                      std::string("r") + static_cast<char>(first_reg + 1)};
  Thread t;
  for (std::size_t i = 0; i < len; ++i) {
    const std::string var = coin(rng) ? "x" : "y";
    const std::string& reg = regs[static_cast<std::size_t>(coin(rng))];
    switch (kind(rng)) {
      case 0: t.push_back(load(reg, var)); break;
      case 1: t.push_back(store(var, reg, constant(rng))); break;
      case 2: t.push_back(store(var, constant(rng))); break;
      default: t.push_back(fetch_add(var, constant(rng), coin(rng) ? reg : "")); break;
    }
  }
  return t;
}

TEST(InterleavingsTest, SchedulesAreEveryWordInLexicographicOrder) {
  for (std::size_t n = 0; n <= 7; ++n) {
    for (std::size_t m = 0; m <= 7; ++m) {
      const std::vector<std::string> want = reference_schedules(n, m);
      const std::vector<std::string> got = lab::schedules(n, m);
      ASSERT_EQ(got, want) << "schedules(" << n << ", " << m << ") must list all C(" << n + m << ", " << n
                           << ") = " << want.size() << " words of " << n << " 'A's and " << m
                           << " 'B's, each once, in lexicographic order; you returned " << got.size()
                           << " words" << (got.empty() ? "" : ", starting \"" + got.front() + "\"")
                           << ". Two empty threads still have one schedule, the empty one. See " << kLesson;
    }
  }
}

TEST(InterleavingsTest, RunScheduleAgreesWithApplyOnRandomPrograms) {
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<std::size_t> length(0, 5);
  for (int trial = 0; trial < 300; ++trial) {
    const Thread a = random_thread(rng, length(rng), '1');
    const Thread b = random_thread(rng, length(rng), '3');
    std::string schedule = std::string(a.size(), 'A') + std::string(b.size(), 'B');
    std::shuffle(schedule.begin(), schedule.end(), rng);
    Outcome got;
    try {
      got = lab::run_schedule(a, b, schedule);
    } catch (const std::exception& e) {
      FAIL() << "run_schedule(A = " << show(a) << ", B = " << show(b) << ", \"" << schedule << "\") threw \""
             << e.what() << "\", but that is a valid schedule: " << a.size() << " 'A's and " << b.size() << " 'B's";
    }
    const Outcome want = reference_run(a, b, schedule);
    ASSERT_EQ(got, want) << "run_schedule(A = " << show(a) << ", B = " << show(b) << ", \"" << schedule
                         << "\") returned " << show(got) << ", but applying the steps in that order from "
                         << "initial_state(a, b) gives " << show(want) << ". See " << kLesson;
  }
}

TEST(InterleavingsTest, RunScheduleRejectsEveryMalformedSchedule) {
  // Valid schedules with one thing broken: a letter dropped, one added, one replaced by another
  // character, or an 'A' turned into a 'B'. Each must throw std::invalid_argument.
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<std::size_t> length(0, 4);
  const std::string others = "BAabXC _0";
  for (int trial = 0; trial < 400; ++trial) {
    const Thread a = random_thread(rng, length(rng), '1');
    const Thread b = random_thread(rng, length(rng), '3');
    std::string s = std::string(a.size(), 'A') + std::string(b.size(), 'B');
    std::shuffle(s.begin(), s.end(), rng);
    const auto at = [&](std::size_t size) { return std::uniform_int_distribution<std::size_t>(0, size)(rng); };
    std::string bad = s;
    std::string change;
    switch (trial % 4) {
      case 0:  // drop a letter (or, for the empty schedule, add one)
        if (s.empty()) {
          bad = "A";
        } else {
          bad.erase(at(s.size() - 1), 1);
        }
        change = "one step left unrun or one too many";
        break;
      case 1:
        bad.insert(at(s.size()), 1, "AB"[trial % 8 / 4]);
        change = "one step too many";
        break;
      case 2: {
        if (s.empty()) {
          bad = "X";
        } else {
          const std::size_t k = at(s.size() - 1);
          bad[k] = others[std::uniform_int_distribution<std::size_t>(2, others.size() - 1)(rng)];
        }
        change = "a character that names no thread";
        break;
      }
      default: {
        const std::size_t k = s.find('A');
        if (k == std::string::npos) {
          bad += 'A';
        } else {
          bad[k] = 'B';
        }
        change = "one 'A' too few and one 'B' too many";
        break;
      }
    }
    bool threw_invalid = false;
    std::string what = "returned an outcome";
    try {
      static_cast<void>(lab::run_schedule(a, b, bad));
    } catch (const std::invalid_argument&) {
      threw_invalid = true;
    } catch (const std::exception& e) {
      what = std::string("threw something else: ") + e.what();
    }
    ASSERT_TRUE(threw_invalid) << "run_schedule(A = " << show(a) << ", B = " << show(b) << ", \"" << bad << "\") "
                               << what << ", but \"" << bad << "\" is not a schedule of these threads (" << change
                               << "; the valid one it came from is \"" << s << "\"): it must hold exactly "
                               << a.size() << " 'A's, " << b.size() << " 'B's and nothing else, and run_schedule "
                               << "must throw std::invalid_argument";
  }
}

TEST(InterleavingsTest, OutcomesAgreeWithEverySchedulesOnRandomPrograms) {
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<std::size_t> length(0, 5);
  for (int trial = 0; trial < 300; ++trial) {
    const Thread a = random_thread(rng, length(rng), '1');
    const Thread b = random_thread(rng, length(rng), '3');
    const std::set<Outcome> want = reference_outcomes(a, b);
    const std::set<Outcome> got = lab::outcomes(a, b);
    ASSERT_EQ(got, want) << "outcomes(A = " << show(a) << ", B = " << show(b) << ") returned " << show(got)
                         << ", but running every one of the " << reference_schedules(a.size(), b.size()).size()
                         << " schedules gives " << show(want) << ": every final state some schedule reaches, each "
                         << "once, with every name of the program. See " << kLesson;
  }
}

TEST(InterleavingsTest, OutcomesFindTheRareOnes) {
  // x++ k times on each thread: x can end anywhere from 2 to 2k, but the 2 takes one precise pattern
  // among thousands of schedules. Sampling schedules at random, as a stress test does, misses it.
  for (int k = 2; k <= 4; ++k) {
    const auto got = project(lab::outcomes(increments(k, "r1"), increments(k, "r2")), {"x"});
    std::set<std::vector<int>> want;
    for (int x = 2; x <= 2 * k; ++x) want.insert({x});
    ASSERT_EQ(got, want) << "each thread does x++ " << k << " times (" << binomial(2 * k, 2 * k)
                         << " schedules); x can end as any of 2.." << 2 * k << ". You found " << show(got, {"x"})
                         << ". The rare outcomes are one schedule in thousands: only trying every schedule (or "
                            "every state) finds them; a few thousand random runs do not. See "
                         << kLesson;
  }
  // One x++ on A against twelve on B (325 schedules): x can end as anything from 1 to 13. The 1 needs A's
  // load first, then all 24 of B's steps, then A's store: a coin flip per step picks that about once in
  // 30 million runs.
  const auto got = project(lab::outcomes(increments(1, "r1"), increments(12, "r2")), {"x"});
  std::set<std::vector<int>> want;
  for (int x = 1; x <= 13; ++x) want.insert({x});
  EXPECT_EQ(got, want) << "A does x++ once, B twelve times (325 schedules): x can end as any of 1..13, the 1 when "
                          "A's stale store lands after all of B's work. You found "
                       << show(got, {"x"}) << ". Every schedule counts, the unlikely ones most: they are the bugs "
                       << "that show up once a month in production. See " << kLesson;
}

}  // namespace
