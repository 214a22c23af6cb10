// Lab 00.04 Amdahl's law, WRONG (integer-division): fit_serial_fraction() writes x = 1 - 1 / N and
// y = 1 / S - 1 / N with N the int `p.threads`.
//
// Why it looks right: the formulas are exactly the lesson's, x = 1 - 1/N and y = 1/S - 1/N, and the result
// is a double, clamped to [0, 1], so it looks like a fraction. Why it is wrong: in C++ `1 / p.threads` is an
// int divided by an int: integer division, 0 for every N > 1. So x is 1 for every point and y is 1 / S: the
// "fit" is a weighted mean of 1 / S, the normalised time, not the serial fraction. With s = 0.05 and runs on
// 1, 2, 4 and 8 threads it says 0.33. Caught by AmdahlTest.FitRecoversExactSerialFraction,
// AmdahlTest.FitUsesEveryPoint, AmdahlTest.FitClampsToTheModel, AmdahlTest.FromTimingsToPrediction and the
// property tests AmdahlTest.FitRecoversEveryExactSerialFraction and
// AmdahlTest.FitOfNoisyPointsStaysBetweenTheirEstimates (which name the points). The fix: make one operand a
// double, `const double n = p.threads;` and then 1.0 / n.
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
    const double x = 1 - 1 / p.threads;              // BUG: int / int is integer division, 0 for N > 1
    const double y = 1 / p.speedup - 1 / p.threads;  // BUG: the same; only 1 / p.speedup is a double division
    sum_xy += x * y;
    sum_xx += x * x;
  }
  if (sum_xx == 0.0) throw std::invalid_argument("fit_serial_fraction: needs a point with more than 1 thread");
  return std::clamp(sum_xy / sum_xx, 0.0, 1.0);
}

}  // namespace lab
