// Lab 02.01 litmus tests, IMPROVED: every access seq_cst (the default when no order is named).
//
// What changed from naive, and why: relaxed let every test's bad outcome through (SB, MP, LB, WRC and IRIW fail
// under the explorer). seq_cst is the one order strong enough for all six: every seq_cst operation takes its place
// in one total order S that agrees with each thread's program order, and every seq_cst store is also a release,
// every seq_cst load an acquire. Sequential consistency is what the litmus tests' "bad" outcomes violate, so none is
// left. This is the version to write when unsure: correct, and the default of std::atomic.
//
// The price: on x86 every seq_cst store is an `xchg` (a locked instruction that drains the store buffer), 17 times a
// plain `mov` in a loop here (`./conclab bench 02.01`); MP, LB, WRC and CoRR pay it for nothing. final asks each
// test what it really needs.
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

// ---- SB: seq_cst (the default).
inline void sb_thread_a(Shared& s, Regs& r) {
  s.x.store(1);
  r.r1 = s.y.load();
}
inline void sb_thread_b(Shared& s, Regs& r) {
  s.y.store(1);
  r.r2 = s.x.load();
}

// ---- MP: seq_cst (the default).
inline void mp_thread_a(Shared& s, Regs&) {
  s.x.store(1);
  s.y.store(1);
}
inline void mp_thread_b(Shared& s, Regs& r) {
  r.r1 = s.y.load();
  r.r2 = s.x.load();
}

// ---- LB: seq_cst (the default).
inline void lb_thread_a(Shared& s, Regs& r) {
  r.r1 = s.x.load();
  s.y.store(1);
}
inline void lb_thread_b(Shared& s, Regs& r) {
  r.r2 = s.y.load();
  s.x.store(1);
}

// ---- WRC: seq_cst (the default).
inline void wrc_thread_a(Shared& s, Regs&) {
  s.x.store(1);
}
inline void wrc_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load();
  s.y.store(1);
}
inline void wrc_thread_c(Shared& s, Regs& r) {
  r.r2 = s.y.load();
  r.r3 = s.x.load();
}

// ---- IRIW: seq_cst (the default).
inline void iriw_thread_a(Shared& s, Regs&) {
  s.x.store(1);
}
inline void iriw_thread_b(Shared& s, Regs&) {
  s.y.store(1);
}
inline void iriw_thread_c(Shared& s, Regs& r) {
  r.r1 = s.x.load();
  r.r2 = s.y.load();
}
inline void iriw_thread_d(Shared& s, Regs& r) {
  r.r3 = s.y.load();
  r.r4 = s.x.load();
}

// ---- CoRR: seq_cst (the default).
inline void corr_thread_a(Shared& s, Regs&) {
  s.x.store(1);
  s.x.store(2);
}
inline void corr_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load();
  r.r2 = s.x.load();
}

}  // namespace lab
