// Lab 00.03: interleavings.
// Lesson: modules/00-foundations/03-why-it-is-hard.md   Check: ./conclab check 00.03
//
// Two threads, A with n steps and B with m steps, run "at the same time": the machine executes their
// steps in one order that keeps each thread's own order, and you do not get to choose which. Here you
// list those orders (schedules), count them, and compute every final state a program can end in.
// The program language (load, store, fetch_add) and its meaning (apply) are in program.hpp; read it first.
//
//   schedules(2, 1)  ->  {"AAB", "ABA", "BAA"}    a schedule says whose step runs next
//   count_schedules(n, m)                          how many schedules there are, without listing them
//   run_schedule(a, b, "ABA")                      the final state after running that one schedule
//   outcomes(a, b)                                 every final state some schedule produces
//
// These are pure functions: no threads here. This is how you reason about what real threads can do.
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

// Every schedule of a thread of n steps with a thread of m steps: strings of n 'A's and m 'B's, each
// exactly once, in lexicographic order ("AAB" before "ABA"). schedules(0, 0) is {""}: one empty schedule.
inline std::vector<std::string> schedules(std::size_t n, std::size_t m) {
  // TODO(lab): list every interleaving, not just "all of A, then all of B" and the other way round.
  // The first step of a schedule is either A's next step (if A has one left) or B's (if B has one left);
  // after it, the rest is a schedule of what remains. Recursion writes itself.
  static_cast<void>(n);
  static_cast<void>(m);
  return {};
}

// schedules(n, m).size(), computed without listing them, exactly. Throws std::overflow_error when the
// answer does not fit in 64 bits (it does for n = m = 33, not for n = m = 34).
inline std::uint64_t count_schedules(std::size_t n, std::size_t m) {
  // TODO(lab): the same choice as above gives count(n, m) = count(n - 1, m) + count(n, m - 1), and a
  // thread with no steps left leaves one way to go. Plain recursion takes forever for (30, 30): reuse
  // answers (a table, like Pascal's triangle). Check each addition for overflow before you make it.
  static_cast<void>(n);
  static_cast<void>(m);
  return 0;
}

// The final state after running a's and b's steps in the order `schedule` names ('A' = a's next step,
// 'B' = b's next step), starting from initial_state(a, b). Throws std::invalid_argument unless the
// schedule has exactly a.size() 'A's, b.size() 'B's and nothing else.
inline Outcome run_schedule(const Thread& a, const Thread& b, std::string_view schedule) {
  // TODO(lab): walk the schedule with one position in each thread; apply() the step it names. Check the
  // schedule as you go (and at the end) so a bad one throws instead of reading past a thread's end.
  static_cast<void>(a);
  static_cast<void>(b);
  static_cast<void>(schedule);
  return {};
}

// Every final state that some schedule of a and b ends in (a set: each distinct state once).
inline std::set<Outcome> outcomes(const Thread& a, const Thread& b) {
  // TODO(lab): run every schedule, not just the two where one thread goes first: the bugs live in the
  // schedules in between. Then think about speed: two threads of 12 steps have 2'704'156 schedules, but
  // far fewer distinct (position in A, position in B, values) states.
  static_cast<void>(a);
  static_cast<void>(b);
  return {};
}

}  // namespace lab
