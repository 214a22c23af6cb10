// Lab 00.03 interleavings, WRONG (table-one-short): count_schedules() builds one row of Pascal's triangle
// too few: `for (i = 1; i < n; ++i)`.
//
// Why it looks right: the loop has the shape of every loop a programmer writes, count(0, m) and count(n, 0)
// still come out as 1, and the numbers it returns are binomial coefficients, so they look plausible. Why it
// is wrong: after the loop the row holds count(n - 1, j), so count_schedules(n, m) returns C(n - 1 + m, m):
// one step of A fewer than asked. count_schedules(1, 40) says 1 instead of 41. Caught by
// InterleavingsTest.CountSchedulesIsExactForLongThreads, InterleavingsTest.CountSchedulesRefusesToOverflow
// (C(67, 34) still fits), InterleavingsTest.CountSchedulesIsExactOrThrowsForEveryPairUpTo70 and
// InterleavingsTest.CountSchedulesIsExactForOneLongThread, each naming the pair. The fix: the rows run
// i = 1..n inclusive, `i <= n`; check a tiny case by hand, count(1, 1) = 2 ("AB", "BA").
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
  // row[j] holds count(i, j) for the current i; count(0, j) = count(i, 0) = 1.
  std::vector<std::uint64_t> row(m + 1, 1);
  for (std::size_t i = 1; i < n; ++i) {  // BUG: stops one row early, at count(n - 1, *)
    for (std::size_t j = 1; j <= m; ++j) {
      // row[j] is still count(i-1, j); row[j-1] is already count(i, j-1).
      if (row[j] > std::numeric_limits<std::uint64_t>::max() - row[j - 1]) {
        throw std::overflow_error("count_schedules: C(" + std::to_string(n + m) + ", " + std::to_string(n) +
                                  ") does not fit in 64 bits");
      }
      row[j] += row[j - 1];
    }
  }
  return row[m];
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
