// Lab 02.01 litmus tests, WRONG (volatile-ints): x and y are `volatile int`, read and written without atomics.
//
// Why it looks right: volatile makes the compiler emit every load and store, in program order, and keep none in a
// register; on x86 the hardware then keeps stores in order and loads in order, so MP, LB, WRC, IRIW and CoRR even
// behave on real threads here. In Java and C# a volatile field is a synchronization variable.
// Why it is wrong: in C++ volatile is for memory-mapped hardware and signal handlers. It makes no access atomic and
// orders nothing between threads: one thread writing x while another reads it is a data race, undefined behaviour,
// whatever the outcome. There is no modification order, so not even coherence is promised.
// The explorer reports the data race in every litmus test on its first schedule, naming both lines (all six
// LitmusTest sim tests). ThreadSanitizer, in the LitmusOnThisMachine tests on real threads, reports it in some runs
// only (measured here: 4 runs in 10), so only the explorer's verdict is claimed.
// The fix: sync::atomic<int> with the orders of final.
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The memory of one run: two ints marked volatile, "so that every access really goes to memory".
struct Shared {
  alignas(64) volatile int x = 0;  // BUG: volatile is not atomic, and orders nothing between threads
  alignas(64) volatile int y = 0;
};

// What the loads read: each register is written by one thread and read by the test after the join.
struct Regs {
  int r1 = -1;
  int r2 = -1;
  int r3 = -1;
  int r4 = -1;
};

inline void sb_thread_a(Shared& s, Regs& r) {
  s.x = 1;
  r.r1 = s.y;
}
inline void sb_thread_b(Shared& s, Regs& r) {
  s.y = 1;
  r.r2 = s.x;
}

inline void mp_thread_a(Shared& s, Regs&) {
  s.x = 1;
  s.y = 1;
}
inline void mp_thread_b(Shared& s, Regs& r) {
  r.r1 = s.y;
  r.r2 = s.x;
}

inline void lb_thread_a(Shared& s, Regs& r) {
  r.r1 = s.x;
  s.y = 1;
}
inline void lb_thread_b(Shared& s, Regs& r) {
  r.r2 = s.y;
  s.x = 1;
}

inline void wrc_thread_a(Shared& s, Regs&) {
  s.x = 1;
}
inline void wrc_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x;
  s.y = 1;
}
inline void wrc_thread_c(Shared& s, Regs& r) {
  r.r2 = s.y;
  r.r3 = s.x;
}

inline void iriw_thread_a(Shared& s, Regs&) {
  s.x = 1;
}
inline void iriw_thread_b(Shared& s, Regs&) {
  s.y = 1;
}
inline void iriw_thread_c(Shared& s, Regs& r) {
  r.r1 = s.x;
  r.r2 = s.y;
}
inline void iriw_thread_d(Shared& s, Regs& r) {
  r.r3 = s.y;
  r.r4 = s.x;
}

inline void corr_thread_a(Shared& s, Regs&) {
  s.x = 1;
  s.x = 2;
}
inline void corr_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x;
  r.r2 = s.x;
}

}  // namespace lab
