// Lab 00.03 interleavings, WRONG (samples-schedules): outcomes() runs 300 random schedules, as a stress
// test would, instead of every schedule.
//
// Why it looks right: listing every schedule is exponential, a random schedule (a coin flip for whose step
// runs next) can be any of them, and 300 tries find every outcome of the lesson's small programs: the lost
// update, store buffering, message passing, even x++ three times on each thread (924 schedules), all come
// out right. Why it is wrong: it is the very mistake the lesson warns about. Coin flips make some schedules
// far likelier than others, and an outcome that only an unlikely schedule produces is almost never drawn:
// x++ four times on each thread can end with x == 2, and one x++ against twelve with x == 1 (A's stale
// store after all of B's work, about one coin-flip run in 30 million), and 300 random runs see neither.
// Random programs of 5 steps per thread show it too. "I ran it many times and it never happened" proves
// nothing. Caught by InterleavingsTest.OutcomesFindTheRareOnes and
// InterleavingsTest.OutcomesAgreeWithEverySchedulesOnRandomPrograms, which name the program. The fix: try
// every schedule (the recursion) or every state.
#pragma once

#include <program.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
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
  // BUG: a sample of the schedules, not all of them. The seed is fixed, so every run samples the same ones.
  std::mt19937 rng(12345);
  std::set<Outcome> out;
  for (int run = 0; run < 300; ++run) {
    Outcome state = initial_state(a, b);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
      const bool a_next = j == b.size() || (i < a.size() && rng() % 2 == 0);
      apply(a_next ? a[i++] : b[j++], state);
    }
    out.insert(state);
  }
  return out;
}

}  // namespace lab
