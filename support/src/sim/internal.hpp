// What the explorer's scheduler (scheduler.cpp) tells its plain-memory checker (plain.cpp). Not for labs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "conclab/sim/detail.hpp"

namespace conclab::sim::detail::internal {

// The fiber running now on the explorer's thread, or -1 (no schedule runs, or it has already failed).
int running_fiber();
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

// plain.cpp's side: called by the scheduler.
void explorer_thread_begins();  // explore() runs on this OS thread
void explorer_thread_ends();
void operation_begins();  // a conclab::sync operation of the running fiber: its own accesses are not the program's

}  // namespace conclab::sim::detail::internal
