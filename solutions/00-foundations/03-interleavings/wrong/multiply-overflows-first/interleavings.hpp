// Lab 00.03 interleavings, WRONG (multiply-overflows-first): count_schedules() uses the multiplicative
// formula in integers, checks every multiplication for overflow, and throws when one would overflow.
//
// Why it looks right: count = count * (n + i) / i stays an integer at every step (the product of i
// consecutive integers is divisible by i!), each multiplication is checked, so nothing ever wraps, and
// every small and medium case is exact. Why it is wrong: the product is computed BEFORE the division, and it
// is up to i times larger than the answer. count_schedules(33, 33) = 7.2e18 fits in 64 bits, but its last
// product is 33 times that, so this version throws std::overflow_error for an answer the caller could have
// had. Caught by InterleavingsTest.CountSchedulesIsExactForLongThreads,
// InterleavingsTest.CountSchedulesIsExactForOneLongThread (a short thread against a 10,000-step one)
// and InterleavingsTest.CountSchedulesIsExactOrThrowsForEveryPairUpTo70 (which names the first such pair). The
// fix: Pascal's rule, where no intermediate is ever larger than the answer.
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
  // After step i, count == C(n + i, i); count * (n + i) is always divisible by i.
  std::uint64_t count = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    const std::uint64_t factor = n + i;
    if (count > std::numeric_limits<std::uint64_t>::max() / factor) {  // BUG: the product, not the answer
      throw std::overflow_error("count_schedules: C(" + std::to_string(n + m) + ", " + std::to_string(n) +
                                ") does not fit in 64 bits");
    }
    count = count * factor / i;
  }
  return count;
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
