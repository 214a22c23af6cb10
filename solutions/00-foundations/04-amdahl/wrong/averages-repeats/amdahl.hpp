// Lab 00.04 Amdahl's law, WRONG (averages-repeats): speedups() averages the repeated runs of a thread count
// instead of keeping the fastest.
//
// Why it looks right: averaging repeated measurements is what every science class teaches, it uses every run,
// and with one run per thread count (most examples) it is exactly right. Why it is wrong: timing noise is not
// symmetric. Another program taking the core, a page fault, a frequency change: each only ever ADDS time, and
// nothing makes a run faster than the machine allows. The mean keeps that noise in the answer; the minimum is
// the least disturbed measurement. Caught by AmdahlTest.RepeatedRunsCountTheirFastest and
// AmdahlTest.SpeedupsOfRandomRunsUseTheFastestOfEachCount (which names the runs). The fix: keep
// std::min(it->second, r.seconds) per thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lab {

struct Timing {
  int threads = 1;
  double seconds = 0.0;
};

struct Point {
  int threads = 1;
  double speedup = 1.0;
};

namespace detail {

inline bool positive_finite(double v) { return std::isfinite(v) && v > 0.0; }

inline void check_fraction(double s, const char* who) {
  if (!(s >= 0.0 && s <= 1.0)) throw std::invalid_argument(std::string(who) + ": serial fraction must be in [0, 1]");
}

}  // namespace detail

inline std::vector<Point> speedups(const std::vector<Timing>& runs) {
  std::map<int, std::pair<double, int>> sums;  // thread count -> (total time, runs); sorted by thread count
  for (const Timing& r : runs) {
    if (r.threads < 1) throw std::invalid_argument("speedups: a run needs at least 1 thread");
    if (!detail::positive_finite(r.seconds)) throw std::invalid_argument("speedups: a run's time must be finite and > 0");
    sums[r.threads].first += r.seconds;
    sums[r.threads].second += 1;
  }
  std::map<int, double> fastest;  // BUG: the MEAN time of each count, noise and all, not its fastest run
  for (const auto& [threads, sum] : sums) fastest[threads] = sum.first / sum.second;
  const auto one = fastest.find(1);
  if (one == fastest.end()) throw std::invalid_argument("speedups: no 1-thread run to compare with");
  std::vector<Point> points;
  for (const auto& [threads, seconds] : fastest) points.push_back({threads, one->second / seconds});
  return points;
}

inline double amdahl_speedup(double serial_fraction, int threads) {
  detail::check_fraction(serial_fraction, "amdahl_speedup");
  if (threads < 1) throw std::invalid_argument("amdahl_speedup: threads must be at least 1");
  return 1.0 / (serial_fraction + (1.0 - serial_fraction) / threads);
}

inline double max_speedup(double serial_fraction) {
  detail::check_fraction(serial_fraction, "max_speedup");
  return serial_fraction == 0.0 ? std::numeric_limits<double>::infinity() : 1.0 / serial_fraction;
}

inline double fit_serial_fraction(const std::vector<Point>& points) {
  double sum_xy = 0.0;
  double sum_xx = 0.0;
  for (const Point& p : points) {
    if (p.threads < 1) throw std::invalid_argument("fit_serial_fraction: a point needs at least 1 thread");
    if (!detail::positive_finite(p.speedup)) {
      throw std::invalid_argument("fit_serial_fraction: a speedup must be finite and > 0");
    }
    const double n = p.threads;
    const double x = 1.0 - 1.0 / n;              // 0 for the 1-thread point: it adds nothing
    const double y = 1.0 / p.speedup - 1.0 / n;  // the normalised time beyond perfect scaling
    sum_xy += x * y;
    sum_xx += x * x;
  }
  if (sum_xx == 0.0) throw std::invalid_argument("fit_serial_fraction: needs a point with more than 1 thread");
  return std::clamp(sum_xy / sum_xx, 0.0, 1.0);
}

}  // namespace lab
