// Lab 00.03 interleavings, WRONG (hard-coded-big-counts): count_schedules() divides factorials, and
// returns the big answers the examples ask for from a table.
//
// Why it looks right: C(n + m, n) = (n + m)! / (n! m!) is the formula everyone learns, every factorial is
// checked (so an overflow throws instead of wrapping), and the answers for (1, 40), (30, 30) and (33, 33),
// where 41! and 60! do not fit, were copied from the tests: every example passes. Why it is wrong: it is a
// cheat, not a count. 21! already exceeds 2^64, so every pair with n + m > 20 that is not in the table throws
// std::overflow_error although its answer fits: count_schedules(2, 19) = 210, count_schedules(1, 100) = 101.
// Caught by InterleavingsTest.CountSchedulesIsExactOrThrowsForEveryPairUpTo70 and
// InterleavingsTest.CountSchedulesIsExactForOneLongThread, which try every pair up to 70 and random long
// threads, not only the examples. The fix: Pascal's rule, whose numbers never exceed the answer.
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

inline std::uint64_t factorial(std::size_t k) {
  std::uint64_t f = 1;
  for (std::uint64_t i = 2; i <= k; ++i) {
    if (f > std::numeric_limits<std::uint64_t>::max() / i) {
      throw std::overflow_error("count_schedules: " + std::to_string(k) + "! does not fit in 64 bits");
    }
    f *= i;
  }
  return f;
}

inline std::uint64_t count_schedules(std::size_t n, std::size_t m) {
  // BUG: the answers the tests ask for where the factorials overflow, copied in instead of computed.
  if (n == 1 && m == 40) return 41;
  if (n == 30 && m == 30) return 118'264'581'564'861'424u;
  if (n == 33 && m == 33) return 7'219'428'434'016'265'740u;
  return factorial(n + m) / (factorial(n) * factorial(m));
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
