// Graded tests for lab 00.04, Amdahl's law. Lesson: modules/00-foundations/01-what-is-concurrency.md
//
// Every input here is synthetic: timings and speedups written down or computed from Amdahl's formula
// with a known serial fraction, sometimes with a disturbed run added on purpose. No clock is read and no
// thread is started, so each test gives the same answer on every machine, however busy. (The benchmark
// beside this file is where this machine's own numbers come from.)
#include <amdahl.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr const char* kLesson = "modules/00-foundations/01-what-is-concurrency.md (\"Amdahl's law\")";
constexpr double kExact = 1e-9;

using lab::Point;
using lab::Timing;

std::string show(const std::vector<Point>& points) {
  std::ostringstream s;
  s << "{";
  for (std::size_t i = 0; i < points.size(); ++i) {
    s << (i ? ", " : " ") << "(" << points[i].threads << " threads: " << points[i].speedup << "x)";
  }
  s << " }";
  return s.str();
}

// Speedups that follow Amdahl's law exactly for serial fraction s.
std::vector<Point> exact_points(double s, const std::vector<int>& threads) {
  std::vector<Point> points;
  for (const int n : threads) points.push_back({n, 1.0 / (s + (1.0 - s) / n)});
  return points;
}

void expect_points(const std::vector<Point>& got, const std::vector<Point>& want, const char* why) {
  ASSERT_EQ(got.size(), want.size()) << "expected " << show(want) << " but got " << show(got) << ". " << why
                                     << " See " << kLesson;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].threads, want[i].threads)
        << "expected " << show(want) << " but got " << show(got) << ". " << why << " See " << kLesson;
    EXPECT_NEAR(got[i].speedup, want[i].speedup, kExact)
        << "expected " << show(want) << " but got " << show(got) << ". " << why << " See " << kLesson;
  }
}

TEST(AmdahlTest, SpeedupIsOneThreadTimeOverNThreadTime) {
  const std::vector<Timing> runs{{1, 8.0}, {2, 4.4}, {4, 2.6}};
  expect_points(lab::speedups(runs), {{1, 1.0}, {2, 8.0 / 4.4}, {4, 8.0 / 2.6}},
                "Speedup S(N) = T(1) / T(N): 8 s on one thread and 4.4 s on two is 1.82x, not 2x.");
}

TEST(AmdahlTest, SpeedupsFindTheOneThreadRunAnywhere) {
  const std::vector<Timing> runs{{4, 2.6}, {1, 8.0}, {2, 4.4}};
  expect_points(lab::speedups(runs), {{1, 1.0}, {2, 8.0 / 4.4}, {4, 8.0 / 2.6}},
                "The baseline is the run with threads == 1, wherever it is in the list (here the second), not "
                "simply the first run; the points come back sorted by thread count.");
}

TEST(AmdahlTest, RepeatedRunsCountTheirFastest) {
  // Two runs per thread count, as a careful benchmark makes. Another program stole time from the slower
  // one of each pair; nothing can make a run faster than the machine allows.
  const std::vector<Timing> runs{{1, 8.4}, {2, 4.4}, {1, 8.0}, {2, 4.9}};
  expect_points(lab::speedups(runs), {{1, 1.0}, {2, 8.0 / 4.4}},
                "Repeated runs of one thread count give one point, from the fastest run of each count: noise only "
                "adds time, so the minimum is the least disturbed measurement (8.0 s and 4.4 s here).");
}

TEST(AmdahlTest, SpeedupsRejectBadRuns) {
  const std::vector<std::vector<Timing>> bad{
      {},                                                   // nothing measured
      {{2, 4.4}, {4, 2.6}},                                 // no baseline
      {{1, 8.0}, {0, 4.0}},                                 // zero threads
      {{1, 8.0}, {2, 0.0}},                                 // a run cannot take no time
      {{1, 8.0}, {2, -1.0}},                                // or negative time
      {{1, std::numeric_limits<double>::quiet_NaN()}},      // a failed measurement
      {{1, 8.0}, {2, std::numeric_limits<double>::infinity()}},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THROW(static_cast<void>(lab::speedups(bad[i])), std::invalid_argument)
        << "bad input #" << i << " (see the comments in the test): a speedup needs a 1-thread run and only runs "
        << "with threads >= 1 and a finite time > 0; anything else must throw std::invalid_argument instead of "
        << "producing a number that looks like a measurement";
  }
}

TEST(AmdahlTest, AmdahlSpeedupFollowsTheFormula) {
  EXPECT_NEAR(lab::amdahl_speedup(0.1, 4), 1.0 / (0.1 + 0.9 / 4), kExact)
      << "with 10% serial work, 4 threads give 1 / (0.1 + 0.9/4) = 3.08x, not 4x. See " << kLesson;
  EXPECT_NEAR(lab::amdahl_speedup(0.0, 8), 8.0, kExact) << "no serial work: N threads, N times faster";
  EXPECT_NEAR(lab::amdahl_speedup(1.0, 8), 1.0, kExact) << "all serial work: more threads do not help at all";
  EXPECT_NEAR(lab::amdahl_speedup(0.3, 1), 1.0, kExact) << "one thread is the baseline: speedup 1";
}

TEST(AmdahlTest, AmdahlSpeedupRejectsBadArguments) {
  EXPECT_THROW(static_cast<void>(lab::amdahl_speedup(-0.1, 4)), std::invalid_argument)
      << "a serial fraction below 0 is meaningless: throw std::invalid_argument";
  EXPECT_THROW(static_cast<void>(lab::amdahl_speedup(1.5, 4)), std::invalid_argument)
      << "a serial fraction above 1 is meaningless: throw std::invalid_argument";
  EXPECT_THROW(static_cast<void>(lab::amdahl_speedup(std::numeric_limits<double>::quiet_NaN(), 4)),
               std::invalid_argument)
      << "NaN fails every comparison, so `if (s < 0 || s > 1) throw` lets it through: test for the valid range";
  EXPECT_THROW(static_cast<void>(lab::amdahl_speedup(0.1, 0)), std::invalid_argument)
      << "zero threads do no work at all: throw std::invalid_argument";
}

TEST(AmdahlTest, MaxSpeedupIsOneOverSerialFraction) {
  EXPECT_NEAR(lab::max_speedup(0.05), 20.0, kExact)
      << "5% serial work caps the speedup at 1 / 0.05 = 20x, even with a million cores. See " << kLesson;
  EXPECT_NEAR(lab::max_speedup(1.0), 1.0, kExact) << "all-serial work never speeds up";
  EXPECT_TRUE(std::isinf(lab::max_speedup(0.0))) << "with no serial work there is no ceiling: return infinity";
  EXPECT_THROW(static_cast<void>(lab::max_speedup(2.0)), std::invalid_argument)
      << "a serial fraction above 1 is meaningless: throw std::invalid_argument";
}

TEST(AmdahlTest, FitRecoversExactSerialFraction) {
  for (const double s : {0.0, 0.05, 0.25, 0.6, 1.0}) {
    const std::vector<Point> points = exact_points(s, {1, 2, 4, 8});
    EXPECT_NEAR(lab::fit_serial_fraction(points), s, kExact)
        << "these speedups follow Amdahl's law exactly with s = " << s << ": " << show(points)
        << ". The fit must give s back. See " << kLesson;
  }
}

TEST(AmdahlTest, FitUsesEveryPoint) {
  // Measured on 16 cores, true serial fraction 0.10. The estimates e = (1/S - 1/N) / (1 - 1/N) of the
  // single points are 0.100, 0.095, 0.105 and 0.130: the 16-thread run was disturbed (another program
  // took a core for part of it). Reading s off that one point is 30% wrong.
  const std::vector<Point> points{{1, 1.0}, {2, 1.818}, {4, 3.113}, {8, 4.611}, {16, 5.424}};
  const double s = lab::fit_serial_fraction(points);
  EXPECT_NEAR(s, 0.10, 0.02) << "the fit gave s = " << s << " for " << show(points)
                             << ", but the true serial fraction is 0.10. Three of the four points agree on about "
                                "0.10; only the 16-thread one says 0.13. Reading s off a single point (say the "
                                "largest run) lets one disturbed run decide: fit all points by least squares. See "
                             << kLesson;
}

TEST(AmdahlTest, FitDoesNotDependOnOrder) {
  std::vector<Point> points{{2, 1.818}, {16, 5.424}, {1, 1.0}, {8, 4.611}, {4, 3.113}};
  const double first = lab::fit_serial_fraction(points);
  std::reverse(points.begin(), points.end());
  EXPECT_NEAR(lab::fit_serial_fraction(points), first, kExact)
      << "the same points in another order must give the same serial fraction";
}

TEST(AmdahlTest, FitClampsToTheModel) {
  const std::vector<Point> superlinear{{1, 1.0}, {2, 2.2}, {4, 4.5}};
  EXPECT_NEAR(lab::fit_serial_fraction(superlinear), 0.0, kExact)
      << "speedups above N (here 2.2x on 2 threads: each thread's share of the data now fits in its cache) "
         "give a negative estimate; Amdahl's s cannot be negative, so the fit must clamp it to 0";
  const std::vector<Point> slowdown{{1, 1.0}, {2, 0.8}, {4, 0.6}};
  EXPECT_NEAR(lab::fit_serial_fraction(slowdown), 1.0, kExact)
      << "more threads made it slower (contention: a lock, or false sharing). The estimate exceeds 1, which "
         "Amdahl's model cannot express: clamp it to 1, meaning nothing was gained from threads";
}

TEST(AmdahlTest, FitRejectsBadPoints) {
  const std::vector<std::vector<Point>> bad{
      {},                                                  // nothing to fit
      {{1, 1.0}},                                          // only the baseline: no information about s
      {{1, 1.0}, {0, 1.5}},                                // zero threads
      {{1, 1.0}, {2, 0.0}},                                // a speedup of 0 means infinite time
      {{1, 1.0}, {2, -1.8}},                               // negative speedup
      {{1, 1.0}, {2, std::numeric_limits<double>::quiet_NaN()}},
      {{1, 1.0}, {2, std::numeric_limits<double>::infinity()}},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THROW(static_cast<void>(lab::fit_serial_fraction(bad[i])), std::invalid_argument)
        << "bad input #" << i << " (see the comments in the test): fitting needs at least one point with "
        << "threads > 1, and only points with threads >= 1 and a finite speedup > 0; throw "
        << "std::invalid_argument rather than return a number nobody should believe";
  }
}

TEST(AmdahlTest, FromTimingsToPrediction) {
  // A workload with 5% serial work, timed on 1, 2, 4 and 8 threads (10 s on one thread).
  const std::vector<Timing> runs{{1, 10.0}, {2, 5.25}, {4, 2.875}, {8, 1.6875}};
  const double s = lab::fit_serial_fraction(lab::speedups(runs));
  EXPECT_NEAR(s, 0.05, kExact) << "T(N) = 10 s * (0.05 + 0.95 / N) exactly, so the fit must give s = 0.05";
  EXPECT_NEAR(lab::amdahl_speedup(s, 64), 1.0 / (0.05 + 0.95 / 64), kExact)
      << "with s = 0.05, 64 threads give only 15.4x: the 5% that runs alone dominates. See " << kLesson;
  EXPECT_NEAR(lab::max_speedup(s), 20.0, kExact) << "and no number of threads gives more than 1 / 0.05 = 20x";
}

// ---------------------------------------------------------------------------------------------------
// Property tests: many generated inputs, each checked against what the law itself says (the test's own
// formula and reference, not your file). A std::mt19937 with a fixed seed makes every run try the same
// inputs, so a wrong solution fails on every run, and each message names the input that broke it, with
// every digit (%.17g) so you can paste it into a test of your own.

constexpr std::uint32_t kSeed = 20260312;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTiny = std::numeric_limits<double>::denorm_min();

// An index in [0, size], drawn from rng: where to insert into a list of `size` elements.
std::ptrdiff_t position(std::mt19937& rng, std::size_t size) {
  return static_cast<std::ptrdiff_t>(std::uniform_int_distribution<std::size_t>(0, size)(rng));
}

std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(17) << v;
  return s.str();
}

std::string show_runs(const std::vector<Timing>& runs) {
  std::string s = "{";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    s += (i ? ", " : " ") + std::string("{") + std::to_string(runs[i].threads) + ", " + num(runs[i].seconds) + "}";
  }
  return s + " }";
}

std::string show_exact(const std::vector<Point>& points) {
  std::string s = "{";
  for (std::size_t i = 0; i < points.size(); ++i) {
    s += (i ? ", " : " ") + std::string("{") + std::to_string(points[i].threads) + ", " + num(points[i].speedup) + "}";
  }
  return s + " }";
}

bool close(double got, double want, double relative) {
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= relative * std::max(1.0, std::fabs(want));
}

// Serial fractions worth trying: the ends of [0, 1], -0.0 (which IS 0), the smallest doubles, the
// neighbours of 1, and many drawn at random.
std::vector<double> valid_fractions(std::mt19937& rng, int random_ones) {
  std::vector<double> v{0.0,
                        -0.0,
                        kTiny,
                        std::numeric_limits<double>::min(),
                        1e-300,
                        1e-9,
                        0.5,
                        std::nextafter(1.0, 0.0),
                        1.0};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < random_ones; ++i) v.push_back(unit(rng));
  return v;
}

std::vector<double> invalid_fractions(std::mt19937& rng) {
  std::vector<double> v{-kTiny,
                        -1e-9,
                        -1.0,
                        std::nextafter(1.0, 2.0),
                        1.5,
                        kNaN,
                        -kNaN,
                        kInf,
                        -kInf,
                        std::numeric_limits<double>::max(),
                        std::numeric_limits<double>::lowest()};
  std::uniform_real_distribution<double> above(1.0, 1e6);
  std::uniform_real_distribution<double> below(-1e6, 0.0);
  for (int i = 0; i < 20; ++i) {
    v.push_back(std::nextafter(above(rng), 2e6));  // > 1
    v.push_back(std::nextafter(below(rng), -2e6));  // < 0
  }
  return v;
}

std::vector<int> thread_counts(std::mt19937& rng, int random_ones) {
  std::vector<int> v{1, 2, 3, 7, 64, 1'000'000, INT_MAX - 1, INT_MAX};
  std::uniform_int_distribution<int> small(1, 4096);
  std::uniform_int_distribution<int> any(1, INT_MAX);
  for (int i = 0; i < random_ones; ++i) v.push_back(i % 2 ? small(rng) : any(rng));
  return v;
}

TEST(AmdahlTest, AmdahlSpeedupFollowsTheFormulaForEveryInput) {
  std::mt19937 rng(kSeed);
  for (const double s : valid_fractions(rng, 40)) {
    for (const int n : thread_counts(rng, 20)) {
      const double want = 1.0 / (s + (1.0 - s) / n);
      double got = 0.0;
      try {
        got = lab::amdahl_speedup(s, n);
      } catch (const std::exception& e) {
        FAIL() << "amdahl_speedup(" << num(s) << ", " << n << ") threw \"" << e.what() << "\", but both arguments "
               << "are valid: 0 <= s <= 1 (-0.0 == 0 included) and threads >= 1";
      }
      ASSERT_TRUE(close(got, want, 1e-12))
          << "amdahl_speedup(" << num(s) << ", " << n << ") returned " << num(got) << ", but 1 / (s + (1 - s) / N) = "
          << num(want) << ". s is the SERIAL fraction: it takes the same time on any number of threads, and only "
          << "the parallel part 1 - s is divided by N. See " << kLesson;
      ASSERT_TRUE(got >= 1.0 - 1e-12 && got <= n * (1.0 + 1e-12))
          << "amdahl_speedup(" << num(s) << ", " << n << ") returned " << num(got) << ": Amdahl's speedup lies "
          << "between 1 (all serial) and N (all parallel)";
    }
  }
}

// What a call did: `what` is "returned 3.5", "threw std::invalid_argument" or "threw <another exception>".
struct Call {
  bool returned = false;
  double value = 0.0;
  std::string what;
};

template <typename F>
Call outcome_of(F&& call) {
  Call c;
  try {
    c.value = call();
    c.returned = true;
    c.what = "returned " + num(c.value);
  } catch (const std::invalid_argument&) {
    c.what = "threw std::invalid_argument";
  } catch (const std::exception& e) {
    c.what = std::string("threw another exception: ") + e.what();
  }
  return c;
}

TEST(AmdahlTest, AmdahlSpeedupRejectsEveryBadArgument) {
  std::mt19937 rng(kSeed);
  const std::string want = "threw std::invalid_argument";
  for (const double s : invalid_fractions(rng)) {
    for (const int n : {1, 4, INT_MAX}) {
      ASSERT_EQ(outcome_of([&] { return lab::amdahl_speedup(s, n); }).what, want)
          << "for amdahl_speedup(" << num(s) << ", " << n << "): a serial fraction outside [0, 1] (NaN and "
          << "infinity included) is meaningless. NaN fails every comparison, so `if (s < 0 || s > 1) throw` lets "
          << "it through: check for the valid range, `if (!(s >= 0 && s <= 1)) throw`";
    }
  }
  std::uniform_int_distribution<int> negative(INT_MIN, -1);
  std::vector<int> bad_threads{0, -1, INT_MIN};
  for (int i = 0; i < 20; ++i) bad_threads.push_back(negative(rng));
  for (const int n : bad_threads) {
    for (const double s : {0.0, 0.1, 1.0}) {
      ASSERT_EQ(outcome_of([&] { return lab::amdahl_speedup(s, n); }).what, want)
          << "for amdahl_speedup(" << num(s) << ", " << n << "): fewer than 1 thread does no work at all; (1 - s) "
          << "/ 0 is infinity and 1 / infinity is 0, a \"speedup\" nobody measured. Check threads >= 1";
    }
  }
}

TEST(AmdahlTest, MaxSpeedupIsOneOverSerialFractionForEveryInput) {
  std::mt19937 rng(kSeed);
  for (const double s : valid_fractions(rng, 100)) {
    const double want = s == 0.0 ? kInf : 1.0 / s;
    const Call got = outcome_of([&] { return lab::max_speedup(s); });
    ASSERT_TRUE(got.returned && close(got.value, want, 1e-12))
        << "max_speedup(" << num(s) << ") " << got.what << ", but it should return " << num(want)
        << ": the ceiling is 1 / s, and +infinity when s == 0 (no serial work, no ceiling). Note -0.0 == 0.0 "
        << "but 1 / -0.0 is -infinity: test s == 0 before dividing. See " << kLesson;
    for (const int n : {1'000, 1'000'000, INT_MAX}) {
      const double reached = lab::amdahl_speedup(s, n);
      ASSERT_LE(reached, want * (1.0 + 1e-12))
          << "amdahl_speedup(" << num(s) << ", " << n << ") = " << num(reached) << " exceeds max_speedup(" << num(s)
          << ") = " << num(want) << ": no number of threads beats the ceiling";
    }
  }
  for (const double s : invalid_fractions(rng)) {
    ASSERT_EQ(outcome_of([&] { return lab::max_speedup(s); }).what, "threw std::invalid_argument")
        << "for max_speedup(" << num(s) << "): a serial fraction outside [0, 1] (or NaN) must throw; test for the "
        << "valid range, since NaN fails every comparison";
  }
}

// Random runs: some thread counts (1 always among them), each run 1 to 3 times with noise that only ever
// adds time, in a random order. Returns the runs and the speedups the law of the fastest run gives.
std::vector<Timing> random_runs(std::mt19937& rng, std::map<int, double>& fastest) {
  std::uniform_int_distribution<int> how_many(1, 7);
  std::uniform_int_distribution<int> threads(2, 4096);
  std::uniform_int_distribution<int> repeats(1, 3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> noise(1.0, 1.6);
  std::uniform_real_distribution<double> log_base(-3.0, 3.0);
  const double s = unit(rng);
  const double base = std::pow(10.0, log_base(rng));  // 1 ms .. 1000 s on one thread
  std::vector<int> counts{1};
  const int extra = how_many(rng);
  for (int i = 0; i < extra; ++i) counts.push_back(i == 0 && unit(rng) < 0.2 ? INT_MAX : threads(rng));
  std::vector<Timing> runs;
  fastest.clear();
  for (const int n : counts) {
    const int times = repeats(rng);
    for (int r = 0; r < times; ++r) {
      const double t = base * (s + (1.0 - s) / n) * (r == 0 ? 1.0 : noise(rng));
      runs.push_back({n, t});
      const auto [it, inserted] = fastest.emplace(n, t);
      if (!inserted) it->second = std::min(it->second, t);
    }
  }
  std::shuffle(runs.begin(), runs.end(), rng);
  return runs;
}

TEST(AmdahlTest, SpeedupsOfRandomRunsUseTheFastestOfEachCount) {
  std::mt19937 rng(kSeed);
  for (int trial = 0; trial < 300; ++trial) {
    std::map<int, double> fastest;
    const std::vector<Timing> runs = random_runs(rng, fastest);
    std::vector<Point> want;
    for (const auto& [n, t] : fastest) want.push_back({n, fastest.at(1) / t});
    std::vector<Point> got;
    try {
      got = lab::speedups(runs);
    } catch (const std::exception& e) {
      FAIL() << "speedups(" << show_runs(runs) << ") threw \"" << e.what() << "\", but every run is valid";
    }
    bool same = got.size() == want.size();
    for (std::size_t i = 0; same && i < want.size(); ++i) {
      same = got[i].threads == want[i].threads && close(got[i].speedup, want[i].speedup, 1e-12);
    }
    ASSERT_TRUE(same) << "speedups(" << show_runs(runs) << ") returned " << show_exact(got) << ", but it should be "
                      << show_exact(want) << ": one point per thread count, sorted by threads, each T(1) / T(N) "
                      << "with the FASTEST run of each count (noise only adds time; an average or the last run "
                      << "keeps the noise), and T(1) from the 1-thread run wherever it is. See " << kLesson;
  }
}

TEST(AmdahlTest, SpeedupsRejectEveryBadRun) {
  std::mt19937 rng(kSeed);
  const std::vector<double> bad_seconds{0.0, -0.0, -1.0, -kTiny, kNaN, kInf, -kInf};
  const std::vector<int> bad_threads{0, -1, -64, INT_MIN};
  for (int trial = 0; trial < 300; ++trial) {
    std::map<int, double> fastest;
    std::vector<Timing> runs = random_runs(rng, fastest);
    std::string why;
    switch (trial % 4) {
      case 0:
      case 1: {  // one run with a bad time; half of them are 1-thread runs (a repeat of the baseline)
        const double t = bad_seconds[static_cast<std::size_t>(trial / 4) % bad_seconds.size()];
        const int n = trial % 4 == 0 ? 1 : runs[static_cast<std::size_t>(position(rng, runs.size() - 1))].threads;
        runs.insert(runs.begin() + position(rng, runs.size()), {n, t});
        why = "the run {" + std::to_string(n) + ", " + num(t) + "}: a run's time must be finite and > 0. 0, "
              "negative, NaN and infinity are failed measurements, also when a valid run of the same thread count "
              "is faster (std::min(8.0, NaN) is 8.0: validate before you take the minimum)";
        break;
      }
      case 2: {
        const int n = bad_threads[static_cast<std::size_t>(trial / 4) % bad_threads.size()];
        runs.insert(runs.begin() + position(rng, runs.size()), {n, 1.0});
        why = "the run {" + std::to_string(n) + ", 1}: a run needs threads >= 1";
        break;
      }
      default:
        std::erase_if(runs, [](const Timing& r) { return r.threads == 1; });
        why = "without a 1-thread run there is no T(1) to divide by";
        break;
    }
    const Call got = outcome_of([&] { return lab::speedups(runs).size() * 1.0; });
    ASSERT_EQ(got.what, "threw std::invalid_argument")
        << "for speedups(" << show_runs(runs) << ") (\"returned\" counts the points): " << why
        << "; throw std::invalid_argument instead of producing numbers that look like a measurement";
  }
}

// Random thread counts for a fit: a few from 2..4096, sometimes the 1-thread baseline, sometimes a huge
// count, in random order.
std::vector<int> fit_threads(std::mt19937& rng) {
  std::uniform_int_distribution<int> how_many(1, 6);
  std::uniform_int_distribution<int> threads(2, 4096);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<int> v;
  const int k = how_many(rng);
  for (int i = 0; i < k; ++i) v.push_back(threads(rng));
  if (unit(rng) < 0.5) v.push_back(1);
  if (unit(rng) < 0.2) v.push_back(unit(rng) < 0.5 ? INT_MAX : 1'000'000);
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

TEST(AmdahlTest, FitRecoversEveryExactSerialFraction) {
  std::mt19937 rng(kSeed);
  for (const double s : valid_fractions(rng, 300)) {
    const std::vector<Point> points = exact_points(s, fit_threads(rng));
    const Call got = outcome_of([&] { return lab::fit_serial_fraction(points); });
    ASSERT_TRUE(got.returned && std::fabs(got.value - s) <= 1e-9)
        << "fit_serial_fraction(" << show_exact(points) << ") " << got.what << ", but these speedups follow Amdahl's "
        << "law exactly with s = " << num(s) << ": every point's x = 1 - 1/N and y = 1/S - 1/N lie on y = s x, so "
        << "the fit must give s back. (In C++, 1 / N with an int N is integer division: 0 for every N > 1.) "
        << "See " << kLesson;
  }
}

TEST(AmdahlTest, FitOfNoisyPointsStaysBetweenTheirEstimates) {
  // Speedups disturbed by up to 30% either way: each point's own estimate e = y / x moves, and the fit
  // must land between the smallest and largest estimate (clamped to [0, 1]), whatever the order.
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> noise(0.7, 1.3);
  for (int trial = 0; trial < 500; ++trial) {
    const double s = trial % 10 == 0 ? 0.0 : trial % 10 == 1 ? 1.0 : unit(rng);
    std::vector<Point> points = exact_points(s, fit_threads(rng));
    double low = kInf;
    double high = -kInf;
    for (Point& p : points) {
      if (p.threads == 1) continue;
      p.speedup *= noise(rng);
      const double n = p.threads;
      const double e = (1.0 / p.speedup - 1.0 / n) / (1.0 - 1.0 / n);
      low = std::min(low, e);
      high = std::max(high, e);
    }
    low = std::clamp(low, 0.0, 1.0);
    high = std::clamp(high, 0.0, 1.0);
    const double fit = lab::fit_serial_fraction(points);
    ASSERT_TRUE(fit >= low - 1e-12 && fit <= high + 1e-12)
        << "fit_serial_fraction(" << show_exact(points) << ") returned " << num(fit) << ", but the points' own "
        << "estimates e = (1/S - 1/N) / (1 - 1/N), clamped to [0, 1], lie in [" << num(low) << ", " << num(high)
        << "]: any average of them (least squares is a weighted mean) lands in there, and Amdahl's s cannot be "
        << "below 0 or above 1. See " << kLesson;
    std::vector<Point> shuffled = points;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const double again = lab::fit_serial_fraction(shuffled);
    ASSERT_TRUE(close(again, fit, 1e-12)) << "fit_serial_fraction(" << show_exact(shuffled) << ") returned "
                                          << num(again) << ", but the same points in the order "
                                          << show_exact(points) << " gave " << num(fit)
                                          << ": the order of the points must not matter";
  }
}

TEST(AmdahlTest, FitRejectsEveryBadPoint) {
  std::mt19937 rng(kSeed);
  const std::vector<double> bad_speedups{0.0, -0.0, -1.8, -kTiny, kNaN, kInf, -kInf};
  const std::vector<int> bad_threads{0, -1, -64, INT_MIN};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Point> points = exact_points(unit(rng), fit_threads(rng));
    const auto somewhere = [&] { return points.begin() + position(rng, points.size()); };
    std::string why;
    switch (trial % 4) {
      case 0: {  // a bad speedup on the 1-thread baseline: x = 0, but it is still not a measurement
        const double bad = bad_speedups[static_cast<std::size_t>(trial / 4) % bad_speedups.size()];
        points.insert(somewhere(), {1, bad});
        why = "the point {1, " + num(bad) + "}: a speedup must be finite and > 0, on a 1-thread point too. It "
              "carries no information about s, but a speedup of 0, a negative one, NaN or infinity there is a "
              "failed measurement all the same. Validate every point BEFORE you skip the baseline";
        break;
      }
      case 1: {
        const int n = std::uniform_int_distribution<int>(2, 64)(rng);
        const double bad = bad_speedups[static_cast<std::size_t>(trial / 4) % bad_speedups.size()];
        points.insert(somewhere(), {n, bad});
        why = "the point {" + std::to_string(n) + ", " + num(bad) + "}: a speedup must be finite and > 0 (test "
              "for the valid range: NaN fails every comparison)";
        break;
      }
      case 2: {
        const int n = bad_threads[static_cast<std::size_t>(trial / 4) % bad_threads.size()];
        points.insert(somewhere(), {n, 1.5});
        why = "the point {" + std::to_string(n) + ", 1.5}: a point needs threads >= 1";
        break;
      }
      default:
        std::erase_if(points, [](const Point& p) { return p.threads > 1; });
        why = "fitting needs at least one point with threads > 1; 1-thread points alone say nothing about s";
        break;
    }
    ASSERT_EQ(outcome_of([&] { return lab::fit_serial_fraction(points); }).what, "threw std::invalid_argument")
        << "for fit_serial_fraction(" << show_exact(points) << "): " << why
        << "; throw std::invalid_argument rather than return a number nobody should believe";
  }
}

}  // namespace
