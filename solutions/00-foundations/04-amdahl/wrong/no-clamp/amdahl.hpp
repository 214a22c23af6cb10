// Lab 00.04 Amdahl's law, WRONG (no-clamp): fit_serial_fraction() returns the least-squares slope as it is.
//
// Why it looks right: least squares is the best fit, and with data that follows Amdahl's law the slope is s,
// in [0, 1] by itself; clamping looks like tampering with the result. Why it is wrong: real data does not
// always follow the model. Speedups above N (each thread's share of the data now fits in its cache) give a
// negative slope, and a program that gets SLOWER with more threads (a contended lock, false sharing) gives a
// slope above 1. Neither is a serial fraction: s is a share of the work, so it lies in [0, 1]. Returned
// as is, -0.05 or 1.4 goes into amdahl_speedup(), which rightly rejects it. Caught by
// AmdahlTest.FitClampsToTheModel and AmdahlTest.FitOfNoisyPointsStaysBetweenTheirEstimates (which names the
// points). The fix: `return std::clamp(sum_xy / sum_xx, 0.0, 1.0);`.
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
  return sum_xy / sum_xx;  // BUG: not clamped; superlinear data gives s < 0, slowdowns s > 1
}

}  // namespace lab
