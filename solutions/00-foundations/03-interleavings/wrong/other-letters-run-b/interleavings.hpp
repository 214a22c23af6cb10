// Lab 00.03 interleavings, WRONG (other-letters-run-b): run_schedule() treats every character that is
// not an 'A' as B's turn.
//
// Why it looks right: a schedule is made of two letters, so `who == 'A' ? a's step : b's step` covers both,
// each branch checks that its thread has a step left, and the end checks that every step ran: a schedule
// with too few or too many steps still throws. Why it is wrong: "ABAX", "AB_B" or "abAB" are not schedules,
// and this version runs them as if they were, returning an outcome for input that means nothing; a typo in
// a schedule someone copied from a trace turns into a wrong answer instead of an error. Validation tests
// for what is valid ('A' or 'B'), not against one invalid case. Caught by
// InterleavingsTest.RunScheduleRejectsEveryMalformedSchedule, which puts other characters where a 'B' was
// and names the schedule. The fix: `else if (who == 'B' && j < b.size())`, and throw for anything else.
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
    if (who == 'A') {
      if (i == a.size()) throw std::invalid_argument("run_schedule: 'A' names no remaining step");
      apply(a[i++], state);
    } else {  // BUG: anything that is not 'A' runs B's next step, 'X' and ' ' included
      if (j == b.size()) throw std::invalid_argument("run_schedule: 'B' names no remaining step");
      apply(b[j++], state);
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
