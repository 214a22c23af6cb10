// Lab 00.04 Amdahl's law, NAIVE: the first run is the baseline, and s is read off the biggest run.
//
// The mistakes people really make when they first put numbers on Amdahl's law:
//   - speedups() assumes the runs arrive as [1 thread, 2 threads, ...] and divides by the first run's
//     time. Shuffled or repeated runs then produce wrong points without any error.
//   - fit_serial_fraction() inverts the formula at ONE point, the one with the most threads ("it is the
//     most informative run"): e = (1/S - 1/N) / (1 - 1/N), the Karp-Flatt metric. With perfect data that
//     is exact, so a test on clean numbers passes. With real timings, one disturbed run decides the
//     answer, and the other points are thrown away.
//   - Nothing is validated or clamped: a speedup above N gives a negative "serial fraction", a missing
//     multi-thread run divides by zero, and either comes back looking like a measurement.
//
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("Amdahl's law").
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
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

inline std::vector<Point> speedups(const std::vector<Timing>& runs) {
  std::vector<Point> points;
  if (runs.empty()) return points;
  const double baseline = runs.front().seconds;  // "the first run is the 1-thread run"
  for (const Timing& r : runs) points.push_back({r.threads, baseline / r.seconds});
  return points;
}

inline double amdahl_speedup(double serial_fraction, int threads) {
  return 1.0 / (serial_fraction + (1.0 - serial_fraction) / threads);
}

inline double max_speedup(double serial_fraction) {
  return serial_fraction == 0.0 ? std::numeric_limits<double>::infinity() : 1.0 / serial_fraction;
}

inline double fit_serial_fraction(const std::vector<Point>& points) {
  Point biggest;  // threads == 1 if nothing bigger is found
  for (const Point& p : points) {
    if (p.threads > biggest.threads) biggest = p;
  }
  const double n = biggest.threads;
  return (1.0 / biggest.speedup - 1.0 / n) / (1.0 - 1.0 / n);
}

}  // namespace lab
