// Lab 00.03 interleavings, WRONG (empty-means-no-schedules): with no steps at all, schedules() lists no
// schedule and outcomes() no outcome.
//
// Why it looks right: two threads with nothing to do have nothing to interleave, so "no schedules" sounds
// like the honest answer, and every program with a step somewhere is handled right. Why it is wrong: a
// schedule is an order of the steps, and zero steps have exactly one order, the empty one: schedules(0, 0)
// is {""}, C(0, 0) = 1, and running it leaves the (empty) initial state as the one outcome. An empty list
// says "this program can never finish", and count_schedules(0, 0) = 1 disagrees with schedules(0, 0).size().
// Caught by InterleavingsTest.ScheduleCountIsBinomial, InterleavingsTest.OneEmptyThreadHasOneOutcome,
// InterleavingsTest.SchedulesAreEveryWordInLexicographicOrder and
// InterleavingsTest.OutcomesAgreeWithEverySchedulesOnRandomPrograms (a generated program with two empty
// threads). The fix: no special case; the recursion's base case records the empty schedule by itself.
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
  if (n == 0 && m == 0) return {};  // BUG: "nothing to interleave"; but zero steps have one order, the empty one
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
  if (a.empty() && b.empty()) return {};  // BUG: the same belief; the empty schedule ends in the initial state
  std::set<Outcome> out;
  detail::explore(a, b, 0, 0, initial_state(a, b), out);
  return out;
}

}  // namespace lab
