// Lab 00.03 interleavings, WRONG (double-binomial): count_schedules() computes C(n + m, n) with the
// multiplicative formula in a double, so no product can overflow, and rounds at the end.
//
// Why it looks right: (n+1)/1 * (n+2)/2 * ... * (n+m)/m is the textbook formula, a double reaches 1.8e308
// so nothing overflows on the way, and every small case (the ones anybody checks by hand) comes out exact.
// Why it is wrong: a double carries 53 bits of mantissa. Past 2^53 = 9.0e15 it cannot hold every integer, and
// each multiply-then-divide rounds: C(66, 33) = 7219428434016265740 comes back as ...268288, and C(79, 15)
// one too big. "Exact" means every digit. Caught by InterleavingsTest.CountSchedulesIsExactForLongThreads,
// InterleavingsTest.CountSchedulesIsExactForOneLongThread (a short thread against a 10,000-step one)
// and InterleavingsTest.CountSchedulesIsExactOrThrowsForEveryPairUpTo70 (which names the first pair that comes
// out wrong). The fix: integers only, Pascal's rule, with a check before each addition.
#pragma once

#include <program.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

namespace detail {

inline void list_schedules(std::size_t n, std::size_t m, std::string& prefix, std::vector<std::string>& out) {
  if (n == 0 && m == 0) {
    out.push_back(prefix);
    return;
  }
  if (n > 0) {
    prefix.push_back('A');
    list_schedules(n - 1, m, prefix, out);
    prefix.pop_back();
  }
  if (m > 0) {
    prefix.push_back('B');
    list_schedules(n, m - 1, prefix, out);
    prefix.pop_back();
  }
}

inline void explore(const Thread& a, const Thread& b, std::size_t i, std::size_t j, const Outcome& state,
                    std::set<Outcome>& out) {
  if (i == a.size() && j == b.size()) {
    out.insert(state);
    return;
  }
  if (i < a.size()) {
    Outcome next = state;
    apply(a[i], next);
    explore(a, b, i + 1, j, next, out);
  }
  if (j < b.size()) {
    Outcome next = state;
    apply(b[j], next);
    explore(a, b, i, j + 1, next, out);
  }
}

}  // namespace detail

inline std::vector<std::string> schedules(std::size_t n, std::size_t m) {
  std::vector<std::string> out;
  std::string prefix;
  detail::list_schedules(n, m, prefix, out);
  return out;
}

inline std::uint64_t count_schedules(std::size_t n, std::size_t m) {
  // C(n + m, n) = (n+1)/1 * (n+2)/2 * ... * (n+m)/m, in a double: no intermediate product can overflow.
  double count = 1.0;
  for (std::size_t i = 1; i <= m; ++i) {
    count = count * static_cast<double>(n + i) / static_cast<double>(i);  // BUG: rounds once past 2^53
  }
  if (count >= 18446744073709551616.0) {  // 2^64
    throw std::overflow_error("count_schedules: C(" + std::to_string(n + m) + ", " + std::to_string(n) +
                              ") does not fit in 64 bits");
  }
  return static_cast<std::uint64_t>(count + 0.5);
}

inline Outcome run_schedule(const Thread& a, const Thread& b, std::string_view schedule) {
  Outcome state = initial_state(a, b);
  std::size_t i = 0;
  std::size_t j = 0;
  for (const char who : schedule) {
    if (who == 'A' && i < a.size()) {
      apply(a[i++], state);
    } else if (who == 'B' && j < b.size()) {
      apply(b[j++], state);
    } else {
      throw std::invalid_argument("run_schedule: '" + std::string(1, who) + "' names no remaining step");
    }
  }
  if (i != a.size() || j != b.size()) throw std::invalid_argument("run_schedule: the schedule leaves steps unrun");
  return state;
}

inline std::set<Outcome> outcomes(const Thread& a, const Thread& b) {
  std::set<Outcome> out;
  detail::explore(a, b, 0, 0, initial_state(a, b), out);
  return out;
}

}  // namespace lab
