// Graded tests for lab 00.04, Amdahl's law. Lesson: modules/00-foundations/01-what-is-concurrency.md
//
// Every input here is synthetic: timings and speedups written down or computed from Amdahl's formula
// with a known serial fraction, sometimes with a disturbed run added on purpose. No clock is read and no
// thread is started, so each test gives the same answer on every machine, however busy. (The benchmark
// beside this file is where this machine's own numbers come from.)
#include <amdahl.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

}  // namespace
