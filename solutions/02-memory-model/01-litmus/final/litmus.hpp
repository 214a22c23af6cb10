// Lab 02.01 litmus tests, FINAL: the weakest memory order per access that still forbids each test's bad outcome,
// each non-seq_cst access naming its pair, each test with its happens-before (or seq_cst) argument in one place.
//
// What changed from improved, and why: seq_cst everywhere is correct but buys an ordering most of these tests do not
// need. MP, LB and WRC need one release/acquire pair each, CoRR nothing at all (coherence holds for relaxed
// accesses); only SB and IRIW need the single total order of seq_cst, because in both the bad outcome is two threads
// disagreeing about an order that no load of theirs observes (and IRIW needs it only on its loads). On x86 the difference is the stores: a seq_cst
// store is an `xchg` that drains the store buffer (17 times a plain `mov` in a loop here, `./conclab bench 02.01`),
// a release store is a plain `mov`; every load is a plain `mov` whatever its order. On ARM and POWER the loads
// differ too (`ldar` / `lwsync`-style barriers), and relaxed is what lets the hardware reorder freely.
//
// What an expert would still do differently in production: these are not programs but shapes that hide inside
// programs. SB is Dekker's and Peterson's mutual exclusion and "set my flag, then check yours" in any handshake:
// there the seq_cst fence (or seq_cst on both sides) must be kept, and a comment must say which SB it breaks. MP is
// every publication (a pointer to a built object, a "ready" flag): release/acquire, never relaxed, never volatile.
// And a litmus test passing on x86 proves nothing for ARM: the orders are chosen from the model, checked with a tool
// (this explorer, herd7, CDSChecker), not from a stress run on one machine.
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

// ---- SB: seq_cst on all four accesses (or a seq_cst fence between each store and load; the same cost on x86).
// Why: r1 == 0 puts a's load before b's store in the single order S of seq_cst operations, r2 == 0 puts b's load
// before a's store; with each thread's store before its own load in S, that is a cycle, so one of them reads 1.
inline void sb_thread_a(Shared& s, Regs& r) {
  s.x.store(1, std::memory_order_seq_cst);     // seq_cst: in S with sb_thread_b's store and load; release would not do
  r.r1 = s.y.load(std::memory_order_seq_cst);  // seq_cst: reading 0 puts it before b's store in S
}
inline void sb_thread_b(Shared& s, Regs& r) {
  s.y.store(1, std::memory_order_seq_cst);     // seq_cst: the mirror of sb_thread_a
  r.r2 = s.x.load(std::memory_order_seq_cst);
}

// ---- MP: one release/acquire pair on the flag; the data stays relaxed.
// Why: x = 1 is sequenced before the release store of y, which synchronizes with b's acquire load that reads it,
// which is sequenced before b's load of x: x = 1 happens before that load, so r1 == 1 implies r2 == 1.
inline void mp_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);  // relaxed: pairs with nothing; published by the release store of y below
  s.y.store(1, std::memory_order_release);  // release: pairs with the acquire load of y in mp_thread_b
}
inline void mp_thread_b(Shared& s, Regs& r) {
  r.r1 = s.y.load(std::memory_order_acquire);  // acquire: pairs with the release store of y in mp_thread_a
  r.r2 = s.x.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; ordered after the acquire above
}

// ---- LB: one release/acquire pair, on x (on y would do as well); the other two accesses stay relaxed.
// Why: if a's acquire load reads b's release store of x, b's load of y (sequenced before that store) happens
// before a's store of y (sequenced after the load), and no load reads a store that happens after it: r2 == 0.
inline void lb_thread_a(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_acquire);  // acquire: pairs with the release store of x in lb_thread_b
  s.y.store(1, std::memory_order_relaxed);     // relaxed: pairs with nothing; sequenced after the acquire above
}
inline void lb_thread_b(Shared& s, Regs& r) {
  r.r2 = s.y.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; sequenced before the release below
  s.x.store(1, std::memory_order_release);     // release: pairs with the acquire load of x in lb_thread_a
}

// ---- WRC: one release/acquire pair, on y (b -> c); the accesses of x stay relaxed.
// Why: b's load of x is sequenced before its release store of y, which synchronizes with c's acquire load
// (r2 == 1), sequenced before c's load of x: b's load of x happens before c's. Read-read coherence
// ([intro.races]): a load that happens after another load of the same location never reads an older value, so
// r1 == 1 forces r3 == 1. Nothing needs to synchronize with a: b READ its store, and coherence carries that.
inline void wrc_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);  // relaxed: pairs with nothing; coherence carries what b read of it
}
inline void wrc_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; sequenced before the release below
  s.y.store(1, std::memory_order_release);     // release: pairs with the acquire load of y in wrc_thread_c
}
inline void wrc_thread_c(Shared& s, Regs& r) {
  r.r2 = s.y.load(std::memory_order_acquire);  // acquire: pairs with the release store of y in wrc_thread_b
  r.r3 = s.x.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; ordered after the acquire above
}

// ---- IRIW: seq_cst on the four loads; the two stores stay relaxed.
// Why (C++20, [atomics.order] p4, from P0668R5): the four loads are in the single order S, which agrees with each
// thread's order and with coherence. c's load of y reading 0 is coherence-ordered before b's store, which d's
// load of y reads: so c's load of y precedes d's in S. Likewise d's load of x precedes c's. With each thread's
// first load before its second, that is a cycle in S: one reader sees the other write. (Before C++20 the stores had
// to be seq_cst too; on x86 that would be an xchg each, and the loads cost nothing.)
inline void iriw_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);  // relaxed: pairs with nothing; the loads' order in S does the work
}
inline void iriw_thread_b(Shared& s, Regs&) {
  s.y.store(1, std::memory_order_relaxed);  // relaxed: pairs with nothing
}
inline void iriw_thread_c(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_seq_cst);  // seq_cst: no release/acquire pair can relate c's view to d's
  r.r2 = s.y.load(std::memory_order_seq_cst);
}
inline void iriw_thread_d(Shared& s, Regs& r) {
  r.r3 = s.y.load(std::memory_order_seq_cst);
  r.r4 = s.x.load(std::memory_order_seq_cst);
}

// ---- CoRR: relaxed is enough, because coherence is not an ordering you ask for: every atomic location has one
// modification order (0, then 1, then 2 here: a's stores are in its own order), and a thread's later load never
// reads further back in it than its earlier load, whatever the memory order.
inline void corr_thread_a(Shared& s, Regs&) {
  s.x.store(1, std::memory_order_relaxed);  // relaxed: pairs with nothing; coherence keeps 1 before 2 in x's order
  s.x.store(2, std::memory_order_relaxed);  // relaxed: pairs with nothing
}
inline void corr_thread_b(Shared& s, Regs& r) {
  r.r1 = s.x.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; read-read coherence orders the two loads
  r.r2 = s.x.load(std::memory_order_relaxed);  // relaxed: pairs with nothing; never older than r1
}

}  // namespace lab
