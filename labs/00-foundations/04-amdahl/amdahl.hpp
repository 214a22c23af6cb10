// Lab 00.04: Amdahl's law.
// Lesson: modules/00-foundations/01-what-is-concurrency.md ("Amdahl's law")   Check: ./conclab check 00.04
//
// A program whose fraction s of the work must run on one thread cannot run faster on N threads than
//
//     S(N) = 1 / (s + (1 - s) / N)          and never faster than 1 / s, however large N gets.
//
// Here you turn measured times into speedups, fit s to them, and predict. The benchmark beside this
// file (amdahl_bench.cpp) runs a workload with a known serial part at 1, 2 and 4 threads and fits s
// with YOUR functions, so you can see what this machine does.
//
// Fitting needs one idea. Write the model as normalised time: 1 / S(N) = s + (1 - s) / N, that is
//
//     y = s * x      with   x = 1 - 1/N   and   y = 1/S(N) - 1/N.
//
// Every point with N > 1 gives its own estimate e = y / x (the Karp-Flatt metric), and with perfect
// measurements they all agree. Real timings are noisy, so the estimates disagree: combine all points,
// don't trust one.
//
// All functions are pure: no clocks, no threads. Invalid input throws std::invalid_argument.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace lab {

// One measured run: `threads` threads took `seconds` of wall-clock time.
struct Timing {
  int threads = 1;
  double seconds = 0.0;
};

// The speedup of `threads` threads over one thread: T(1) / T(threads).
struct Point {
  int threads = 1;
  double speedup = 1.0;
};

// One Point per distinct thread count, sorted by threads, with speedup = T(1) / T(N). Runs may come in
// any order, and a thread count may appear more than once (repeated runs): then use its fastest run,
// because noise from other programs only ever adds time. Throws std::invalid_argument if `runs` is
// empty, has no run with threads == 1, or has a run with threads < 1 or seconds not finite and > 0.
inline std::vector<Point> speedups(const std::vector<Timing>& runs) {
  // TODO(lab): find T(1) (the fastest 1-thread run, wherever it is in the list), then the fastest time
  // of each thread count, and divide. Validate every run first. std::map<int, double> keeps the thread
  // counts sorted for you.
  static_cast<void>(runs);
  return {};
}

// Amdahl's prediction: 1 / (s + (1 - s) / threads). Throws std::invalid_argument unless
// 0 <= serial_fraction <= 1 and threads >= 1.
inline double amdahl_speedup(double serial_fraction, int threads) {
  // TODO(lab): the formula above, after checking the arguments (a NaN fails every comparison: test for
  // what is valid, not for what is invalid).
  static_cast<void>(serial_fraction);
  static_cast<void>(threads);
  return 0.0;
}

// The limit of amdahl_speedup as threads grows: 1 / s (infinity when s == 0). Throws
// std::invalid_argument unless 0 <= serial_fraction <= 1.
inline double max_speedup(double serial_fraction) {
  // TODO(lab): 1 / s, with s == 0 meaning "no limit": std::numeric_limits<double>::infinity().
  static_cast<void>(serial_fraction);
  return 0.0;
}

// The serial fraction s that best explains `points` (in any order), clamped to [0, 1]: faster than
// linear (cache effects) fits as 0, slower with more threads fits as 1. Points with threads == 1 carry
// no information (x = 0) and are allowed. Throws std::invalid_argument if no point has threads > 1, or a
// point has threads < 1 or a speedup that is not finite and > 0.
inline double fit_serial_fraction(const std::vector<Point>& points) {
  // TODO(lab): don't read s off one point (say, the one with the most threads): one disturbed run then
  // decides the answer. Fit y = s * x to ALL points by least squares: minimise sum (y_i - s x_i)^2, which
  // gives s = sum(x_i y_i) / sum(x_i^2). Then clamp to [0, 1].
  static_cast<void>(points);
  return -1.0;
}

}  // namespace lab
