// Lab 00.03 interleavings, NAIVE: only the two orders where one thread runs entirely before the other.
//
// The mistake people really make: picture each thread as one block of work and ask "which thread runs
// first?". That gives two schedules, A-then-B and B-then-A, and for x++ on two threads both end with
// x == 2, so the code "has no bug". But the machine interleaves single steps, not whole threads: a
// thread can be stopped between its load and its store, and the other thread runs in that gap. Those
// in-between schedules are exactly the ones that lose the update (x == 1), and there are many more of
// them than the two sequential ones: C(n + m, n) - 2.
//
// run_schedule is right here; every other function inherits the blind spot from schedules().
//
// Lesson: modules/00-foundations/03-why-it-is-hard.md ("Interleavings").
#pragma once

#include <program.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline std::vector<std::string> schedules(std::size_t n, std::size_t m) {
  const std::string a_first = std::string(n, 'A') + std::string(m, 'B');
  const std::string b_first = std::string(m, 'B') + std::string(n, 'A');
  if (a_first == b_first) return {a_first};  // one thread is empty: the two orders are the same
  return {a_first, b_first};                 // "A runs first, or B runs first"
}

inline std::uint64_t count_schedules(std::size_t n, std::size_t m) { return schedules(n, m).size(); }

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
  std::set<Outcome> result;
  for (const std::string& s : schedules(a.size(), b.size())) result.insert(run_schedule(a, b, s));
  return result;
}

}  // namespace lab
