// What the explorer's scheduler (scheduler.cpp) tells its plain-memory checker (plain.cpp). Not for labs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "conclab/sim/detail.hpp"

namespace conclab::sim::detail::internal {

// The fiber running now on the explorer's thread, or -1 (no schedule runs, or it has already failed).
int running_fiber();

// The same, and the schedule's serial, read without a call into scheduler.cpp: the checker asks on every
// instrumented call of the program (every function entry and exit at -O0), and the two calls were a fifth of a
// sim test's time. explore() points these at its Run for as long as it runs, and clears them when it returns.
struct RunningView {
  const int* current = nullptr;  // the fiber running now, -1 for the hub
  const bool* failed = nullptr;  // the schedule has failed: nothing more is checked
  const std::uint64_t* serial = nullptr;
};
extern RunningView g_running_view;
inline int running_fiber_now() {
  const RunningView& v = g_running_view;
  if (v.current == nullptr || *v.current < 0 || *v.failed) return -1;
  return *v.current;
}
inline std::uint64_t schedule_serial_now() { return *g_running_view.serial; }  // only while running_fiber_now() >= 0
// Counts the schedules run in this process: a new value means a new schedule (the checker forgets the last one's).
std::uint64_t schedule_serial();
// The running fiber's vector clock, and a new event of it (its own entry moves on).
VectorClock& running_clock();
void tick_running();
// "counter.hpp:14 (++count_;)": the first of `frames` (return addresses into the instrumented code, innermost
// first, null for none) that is not in a system header.
std::string code_place(const void* const* frames, std::size_t count);
const void* user_frame(const void* const* frames, std::size_t count);  // the frame code_place() names
// Fails the current schedule with a data race; the trace ends with the running fiber's access at `pc`.
[[noreturn]] void fail_with_race(const std::string& message, const void* pc, const std::string& step);

// The running fiber spins on plain memory (the same read at `pc` over and over, nothing else between): a switch
// point, as a yield, so that the other fibers run (and the checker finds the race with the write it waits for).
void plain_spin_point(const void* pc);

// plain.cpp's side: called by the scheduler.
void explorer_thread_begins();  // explore() runs on this OS thread
void explorer_thread_ends();
void operation_begins();  // a conclab::sync operation of the running fiber: its own accesses are not the program's

}  // namespace conclab::sim::detail::internal
