// Lab 00.03 interleavings, WRONG (count-wraps): count_schedules() fills Pascal's triangle with unchecked
// additions.
//
// Why it looks right: count(n, m) = count(n-1, m) + count(n, m-1) is the recursion of the lesson, the table
// makes (30, 30) instant, and a std::uint64_t holds numbers up to 1.8e19: "surely enough". Why it is wrong:
// C(68, 34) is 2.8e19. Unsigned arithmetic does not fail when it runs out of bits, it wraps around modulo
// 2^64, so count_schedules(34, 34) returns a number that looks like a count and is not one (and so does
// every larger pair). Caught by InterleavingsTest.CountSchedulesRefusesToOverflow and
// InterleavingsTest.CountSchedulesIsExactOrThrowsForEveryPairUpTo70, which names the first pair that wraps.
// The fix: check before each addition, `if (row[j] > max - row[j - 1]) throw std::overflow_error(...)`.
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
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      row[j] += row[j - 1];  // BUG: no overflow check; past 2^64 the sum silently wraps around
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
