// Lab 00.04 Amdahl's law, WRONG (skips-baseline-before-validating): fit_serial_fraction() skips the 1-thread
// points first and validates only the points it uses.
//
// Why it looks right: a point with threads == 1 has x = 1 - 1/1 = 0 and says nothing about s, so skipping it
// first saves work, and every point that enters the fit is still checked: a NaN speedup on 2 threads throws.
// Why it is wrong: validation in the wrong order. {1, NaN}, {1, -1} or {1, inf} is not a measurement either,
// and a list holding one is broken input (the timing code that made it failed), yet the fit returns a
// serial fraction as if all were well. The rule is "check every input, then compute"; which inputs the
// computation happens to use is not the caller's business. Caught by AmdahlTest.FitRejectsEveryBadPoint,
// which puts bad baseline points among valid ones and names the list. The fix: validate first, then
// `if (p.threads == 1) continue;`.
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
  std::vector<std::pair<double, double>> estimates;  // (e_i, w_i) for each point with threads > 1
  double total_weight = 0.0;
  for (const Point& p : points) {
    if (p.threads == 1) continue;  // BUG: skipped before it is checked: {1, NaN} passes
    if (p.threads < 1) throw std::invalid_argument("fit_serial_fraction: a point needs at least 1 thread");
    if (!detail::positive_finite(p.speedup)) {
      throw std::invalid_argument("fit_serial_fraction: a speedup must be finite and > 0");
    }
    const double n = p.threads;
    const double x = 1.0 - 1.0 / n;
    const double estimate = (1.0 / p.speedup - 1.0 / n) / x;  // Karp-Flatt: s if this point were exact
    estimates.emplace_back(estimate, x * x);
    total_weight += x * x;
  }
  if (estimates.empty()) throw std::invalid_argument("fit_serial_fraction: needs a point with more than 1 thread");

  // Weighted median: sorted by estimate (then weight, so the input order never matters), the first
  // estimate at which half of the total weight is reached; on an exact tie, the mean of the two middles.
  std::sort(estimates.begin(), estimates.end());
  const double half = total_weight / 2.0;
  double below = 0.0;
  double s = estimates.back().first;
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    below += estimates[i].second;
    if (below > half) {
      s = estimates[i].first;
      break;
    }
    if (below == half && i + 1 < estimates.size()) {
      s = (estimates[i].first + estimates[i + 1].first) / 2.0;
      break;
    }
  }
  return std::clamp(s, 0.0, 1.0);
}

}  // namespace lab
