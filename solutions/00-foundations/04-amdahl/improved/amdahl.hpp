// Lab 00.04 Amdahl's law, IMPROVED: least squares over every point, and input that is checked.
//
// What changed from naive, and why:
//   - speedups() finds the 1-thread run wherever it is and, for repeated runs, keeps the fastest of each
//     thread count: noise from other programs only ever adds time, so the minimum is the least
//     disturbed measurement.
//   - fit_serial_fraction() uses ALL points. Amdahl's law in normalised time is 1/S = s + (1 - s)/N,
//     which is the straight line y = s * x through the origin with x = 1 - 1/N and y = 1/S - 1/N.
//     Minimising sum (y_i - s x_i)^2 gives s = sum(x_i y_i) / sum(x_i^2). Written with each point's own
//     estimate e_i = y_i / x_i, that is sum(x_i^2 e_i) / sum(x_i^2): a weighted mean of the single-point
//     estimates, weighting runs with more threads more (they say more about s). One disturbed run now
//     moves the answer by its weight's share instead of deciding it.
//   - The result is clamped to [0, 1], the range where the model means something, and invalid input
//     throws instead of producing numbers that look like measurements. NaN is rejected by testing for
//     the valid range (every comparison with NaN is false).
//
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("Amdahl's law").
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
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
  std::map<int, double> fastest;  // thread count -> fastest time; sorted by thread count
  for (const Timing& r : runs) {
    if (r.threads < 1) throw std::invalid_argument("speedups: a run needs at least 1 thread");
    if (!detail::positive_finite(r.seconds)) throw std::invalid_argument("speedups: a run's time must be finite and > 0");
    const auto [it, inserted] = fastest.emplace(r.threads, r.seconds);
    if (!inserted) it->second = std::min(it->second, r.seconds);
  }
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
