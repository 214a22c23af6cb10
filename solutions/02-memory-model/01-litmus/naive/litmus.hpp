// Lab 02.01 litmus tests, NAIVE: memory_order_relaxed on every access.
//
// The mistake people really make, and why it looks right: "each access is atomic, so no value is torn, and x86 is
// strongly ordered anyway, so the order argument is a formality." Atomicity is not ordering: a relaxed access orders
// nothing around it, and C++ lets a relaxed load read any store its thread has not already been ordered after. On
// this x86 machine four of the five broken tests even pass on real threads (x86 reorders only a store followed by a
// load of another location), and SB's bad outcome shows up in some runs only, so a stress test is no proof either
// way. The explorer follows the C++ model, not x86's: it fails SB, MP, LB, WRC and IRIW on every run, each with the
// schedule and the stale value. CoRR passes, and is right to: coherence holds for relaxed too.
//
// Lesson: modules/02-memory-model/01-litmus-tests-and-hardware.md.
#pragma once

#include <atomic>  // std::memory_order

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The memory of one run of one litmus test: x == 0 and y == 0 at the start.
// Each location on its own cache line, as two threads' flags usually are: on real threads a store then has to
// fetch its line and waits in the store buffer meanwhile (module 00's appendix). C++ allows the same outcomes.
struct Shared {
  alignas(64) sync::atomic<int> x{0};
  alignas(64) sync::atomic<int> y{0};
};

// What the loads read: each register is written by one thread and read by the test after the join.
struct Regs {
  int r1 = -1;
  int r2 = -1;
  int r3 = -1;
  int r4 = -1;
};

// ---- SB: relaxed. Each load may miss the other thread's store: r1 == r2 == 0 is allowed.
inline void sb_thread_a(Shared& s, Regs& r) {
  s.x.store(1, std::memory_order_relaxed);
  r.r1 = s.y.load(std::memory_order_relaxed);
}
inline void sb_thread_b(Shared& s, Regs& r) {
  s.y.store(1, std::memory_order_relaxed);
  r.r2 = s.x.load(std::memory_order_relaxed);
}

// ---- MP: relaxed. Seeing the flag says nothing about the data: r1 == 1, r2 == 0 is allowed.
inline void mp_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);
  s.y.store(1, std::memory_order_relaxed);
}
inline void mp_thread_b(Shared& s, Regs& r) {
  r.r1 = s.y.load(std::memory_order_relaxed);
  r.r2 = s.x.load(std::memory_order_relaxed);
}

// ---- LB: relaxed. Each load may read the other thread's later store: r1 == r2 == 1 is allowed.
inline void lb_thread_a(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);
  s.y.store(1, std::memory_order_relaxed);
}
inline void lb_thread_b(Shared& s, Regs& r) {
  r.r2 = s.y.load(std::memory_order_relaxed);
  s.x.store(1, std::memory_order_relaxed);
}

// ---- WRC: relaxed. c may see b's store without a's: r1 == r2 == 1, r3 == 0 is allowed.
inline void wrc_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);
}
inline void wrc_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);
  s.y.store(1, std::memory_order_relaxed);
}
inline void wrc_thread_c(Shared& s, Regs& r) {
  r.r2 = s.y.load(std::memory_order_relaxed);
  r.r3 = s.x.load(std::memory_order_relaxed);
}

// ---- IRIW: relaxed. c and d may see the two stores in opposite orders.
inline void iriw_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);
}
inline void iriw_thread_b(Shared& s, Regs&) {
  s.y.store(1, std::memory_order_relaxed);
}
inline void iriw_thread_c(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);
  r.r2 = s.y.load(std::memory_order_relaxed);
}
inline void iriw_thread_d(Shared& s, Regs& r) {
  r.r3 = s.y.load(std::memory_order_relaxed);
  r.r4 = s.x.load(std::memory_order_relaxed);
}

// ---- CoRR: relaxed, and that is enough: coherence holds for every order.
inline void corr_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);
  s.x.store(2, std::memory_order_relaxed);
}
inline void corr_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);
  r.r2 = s.x.load(std::memory_order_relaxed);
}

}  // namespace lab
