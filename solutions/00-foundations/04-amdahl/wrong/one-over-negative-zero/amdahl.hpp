// Lab 00.04 Amdahl's law, WRONG (one-over-negative-zero): max_speedup() returns 1.0 / s and lets IEEE
// arithmetic produce the infinity for s == 0.
//
// Why it looks right: in floating point 1.0 / 0.0 IS +infinity, exactly what the documentation asks for when
// s == 0, so the special case looks redundant, and max_speedup(0.0) passes. Why it is wrong: there are two
// zeros. -0.0 == 0.0 is true, so -0.0 is a valid serial fraction (0 <= -0.0 <= 1 holds), and it turns up in
// real code (0.0 * -1, a sum of small negative noise rounded to zero, std::clamp of -0.0). But
// 1.0 / -0.0 is -infinity: "the ceiling on the speedup is minus infinity". An edge value the examples never
// try. Caught by AmdahlTest.MaxSpeedupIsOneOverSerialFractionForEveryInput, which tries -0.0 among its edge
// values. The fix: `return s == 0.0 ? std::numeric_limits<double>::infinity() : 1.0 / s;`.
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
  return 1.0 / serial_fraction;  // BUG: +inf for 0.0, but -inf for -0.0, which is just as much a zero
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
