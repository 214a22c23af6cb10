// Lab 02.01: litmus tests. Lesson: modules/02-memory-model/01-litmus-tests-and-hardware.md.
// Check: ./conclab check 02.01      The schedules: ./conclab explore 02.01      The cost: ./conclab bench 02.01
//
// Six classic litmus tests, each a few threads over two atomic locations x and y, both 0 at the start.
// Each thread is one function below; the test runs one thread per function and then looks at the
// registers (r1..r4, what the loads read). Every litmus test has one BAD outcome: a result no
// interleaving of the threads' steps could produce. Your job: write each function's stores and loads as
// the table says (each TODO shows them with relaxed, the weakest order), and give every access the
// WEAKEST memory order that still forbids the test's bad outcome. Keep what is stored or loaded, and
// where; choose only the orders (and, if you like, add sync::atomic_thread_fence between accesses).
//
//   SB    a: x = 1; r1 = y            b: y = 1; r2 = x                   bad: r1 == 0 && r2 == 0
//   MP    a: x = 1 (data); y = 1 (flag)   b: r1 = y; r2 = x              bad: r1 == 1 && r2 == 0
//   LB    a: r1 = x; y = 1            b: r2 = y; x = 1                   bad: r1 == 1 && r2 == 1
//   WRC   a: x = 1    b: r1 = x; y = 1    c: r2 = y; r3 = x              bad: r1 == 1 && r2 == 1 && r3 == 0
//   IRIW  a: x = 1    b: y = 1    c: r1 = x; r2 = y    d: r3 = y; r4 = x bad: r1 == 1, r2 == 0, r3 == 1, r4 == 0
//   CoRR  a: x = 1; x = 2           b: r1 = x; r2 = x                    bad: r2 older than r1 (r1 == 2, r2 == 1...)
//
// The graded sim tests run each litmus test under the explorer, which follows the C++ memory model (not
// x86's): a relaxed or acquire load may read an older store, and a load may even read a store that comes
// later. Whenever the bad outcome is reachable with your orders, the test fails and prints the schedule
// and the stale value a load read. Too strong passes too (seq_cst everywhere passes every test), so the
// lesson and `./conclab bench 02.01` are where "weakest" pays: a seq_cst store costs a locked instruction here.
//
// The course's primitives are std's under the names conclab::sync gives them (sync::atomic is std::atomic,
// sync::atomic_thread_fence is std::atomic_thread_fence); in the sim build they are instrumented.
#pragma once

#include <atomic>  // std::memory_order

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The memory of one run of one litmus test. Every test starts from a fresh Shared: x == 0, y == 0.
// Each location on its own cache line, as two threads' flags usually are: on real threads a store then has to
// fetch its line and waits in the store buffer meanwhile (module 00's appendix). C++ allows the same outcomes.
struct Shared {
  alignas(64) sync::atomic<int> x{0};
  alignas(64) sync::atomic<int> y{0};
};

// What the loads read. Each register is written by one thread only, and read by the test after the join.
struct Regs {
  int r1 = -1;
  int r2 = -1;
  int r3 = -1;
  int r4 = -1;
};

// ---- SB, store buffering. Bad: r1 == 0 && r2 == 0 (each load missed the other thread's store).
inline void sb_thread_a(Shared& s, Regs& r) {
  // TODO(lab): which order makes "one of the two stores came first, and the other thread saw it" true?
  // Think about what release/acquire promises (it needs a load that READS the release store) and whether
  // any load here reads the store it would need to be ordered after.
  // Relaxed, the weakest order, would be:
  //   s.x.store(1, std::memory_order_relaxed);
  //   r.r1 = s.y.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}
inline void sb_thread_b(Shared& s, Regs& r) {
  // TODO(lab): the same question, on the other side: SB is symmetric.
  // Relaxed, the weakest order, would be:
  //   s.y.store(1, std::memory_order_relaxed);
  //   r.r2 = s.x.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

// ---- MP, message passing. x is the data, y the flag. Bad: r1 == 1 && r2 == 0 (saw the flag, not the data).
inline void mp_thread_a(Shared& s, Regs&) {
  // TODO(lab): the flag store publishes the data store before it. Which of the two needs an order, and which?
  // Relaxed, the weakest order, would be:
  //   s.x.store(1, std::memory_order_relaxed);
  //   s.y.store(1, std::memory_order_relaxed);
  static_cast<void>(s);  // remove once you use them
}
inline void mp_thread_b(Shared& s, Regs& r) {
  // TODO(lab): a load that reads the flag must make the data visible to the loads after it.
  // Relaxed, the weakest order, would be:
  //   r.r1 = s.y.load(std::memory_order_relaxed);
  //   r.r2 = s.x.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

// ---- LB, load buffering. Bad: r1 == 1 && r2 == 1 (each load read the store the OTHER thread makes after its load).
inline void lb_thread_a(Shared& s, Regs& r) {
  // TODO(lab): nothing orders a relaxed load before a later relaxed store seen by another thread. One
  // synchronizes-with edge (a release store read by an acquire load) is enough to make the cycle impossible:
  // which one, and why is one enough?
  // Relaxed, the weakest order, would be:
  //   r.r1 = s.x.load(std::memory_order_relaxed);
  //   s.y.store(1, std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}
inline void lb_thread_b(Shared& s, Regs& r) {
  // TODO(lab): the other half of LB.
  // Relaxed, the weakest order, would be:
  //   r.r2 = s.y.load(std::memory_order_relaxed);
  //   s.x.store(1, std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

// ---- WRC, write-to-read causality. Bad: r1 == 1 && r2 == 1 && r3 == 0 (c saw b's store, which b made after
// seeing a's store, but c does not see a's store).
inline void wrc_thread_a(Shared& s, Regs&) {
  // TODO(lab): a's store is what b reads. Must it be a release? (The explorer's answer and C++'s differ: lesson.)
  // Relaxed, the weakest order, would be:
  //   s.x.store(1, std::memory_order_relaxed);
  static_cast<void>(s);  // remove once you use them
}
inline void wrc_thread_b(Shared& s, Regs& r) {
  // TODO(lab): b passes on what it saw. Happens-before is transitive, but only along synchronizes-with edges.
  // Relaxed, the weakest order, would be:
  //   r.r1 = s.x.load(std::memory_order_relaxed);
  //   s.y.store(1, std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}
inline void wrc_thread_c(Shared& s, Regs& r) {
  // TODO(lab): c reads b's store, then x.
  // Relaxed, the weakest order, would be:
  //   r.r2 = s.y.load(std::memory_order_relaxed);
  //   r.r3 = s.x.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

// ---- IRIW, independent reads of independent writes. Bad: r1 == 1, r2 == 0, r3 == 1, r4 == 0 (c saw x's write
// first, d saw y's write first: the two readers disagree on the order of two writes).
inline void iriw_thread_a(Shared& s, Regs&) {
  // TODO(lab): is there a release/acquire pair that could make c and d agree? (Nobody here reads what c or d did.)
  // Relaxed, the weakest order, would be:
  //   s.x.store(1, std::memory_order_relaxed);
  static_cast<void>(s);  // remove once you use them
}
inline void iriw_thread_b(Shared& s, Regs&) {
  // TODO(lab): the other writer.
  // Relaxed, the weakest order, would be:
  //   s.y.store(1, std::memory_order_relaxed);
  static_cast<void>(s);  // remove once you use them
}
inline void iriw_thread_c(Shared& s, Regs& r) {
  // TODO(lab): agreement on the order of independent writes is what one order does that acquire/release does not.
  // Relaxed, the weakest order, would be:
  //   r.r1 = s.x.load(std::memory_order_relaxed);
  //   r.r2 = s.y.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}
inline void iriw_thread_d(Shared& s, Regs& r) {
  // TODO(lab): the other reader, reading in the opposite order.
  // Relaxed, the weakest order, would be:
  //   r.r3 = s.y.load(std::memory_order_relaxed);
  //   r.r4 = s.x.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

// ---- CoRR, coherence of read-read. Bad: b's second load reads an older value of x than its first (r1 == 2 and
// r2 == 1 or 0, or r1 == 1 and r2 == 0).
inline void corr_thread_a(Shared& s, Regs&) {
  // TODO(lab): what is the weakest order here? (Try it before you decide: ./conclab explore 02.01 Coherence)
  // Relaxed, the weakest order, would be:
  //   s.x.store(1, std::memory_order_relaxed);
  //   s.x.store(2, std::memory_order_relaxed);
  static_cast<void>(s);  // remove once you use them
}
inline void corr_thread_b(Shared& s, Regs& r) {
  // TODO(lab): the reader's two loads of one location.
  // Relaxed, the weakest order, would be:
  //   r.r1 = s.x.load(std::memory_order_relaxed);
  //   r.r2 = s.x.load(std::memory_order_relaxed);
  static_cast<void>(s); static_cast<void>(r);  // remove once you use them
}

}  // namespace lab
