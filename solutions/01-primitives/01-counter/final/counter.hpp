// Lab 01.01 counter, FINAL: one std::atomic, incremented with fetch_add(1, memory_order_relaxed).
//
// What changed from improved, and why: a single integer does not need a lock. fetch_add is one
// indivisible read-modify-write (on x86, `lock xadd`), so two threads can never both read the same
// old value: every increment is counted, with no mutex to queue on and no lock/unlock pair per call.
//
// Why relaxed is enough here. Memory order says what *other* memory an atomic operation makes visible;
// it never weakens the atomicity of the operation itself. Even relaxed increments of one atomic form a
// single modification order, so none is lost. This counter publishes nothing else: no thread reads
// other data because it saw some count. And the exact total is read after the incrementing threads
// are joined, and join() already makes everything the thread did happen-before join() returns. So
// nobody needs the count to order anything, and acquire/release (or the default seq_cst) would only
// add cost on weakly ordered CPUs (on x86 a relaxed fetch_add is the same `lock xadd`). The moment the
// count is used as a signal ("count reached N, so the results are ready"), relaxed is no longer enough:
// that needs a release increment paired with an acquire load (module 02).
//
// What an expert would still do differently in production: under heavy contention every core still
// fights over the one cache line holding count_, so increments/s stops growing with threads. A hot
// statistics counter is sharded: one padded slot per thread or per core (alignas(64) so slots never
// share a line), each incremented relaxed, and value() sums the slots. Writes then scale; reads get
// slower and see a sum that was never exactly true at one instant, which is fine for statistics. Keep
// the count away from other hot fields too (false sharing: modules/00-foundations/04-the-hardware.md).
//
// Lesson: modules/01-primitives/04-atomics-basics.md ("Relaxed is enough for a counter").
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Counter: increment() and value() may be called from any number of threads at once; both are
// lock-free. Every increment is counted. value() during increments returns some count from the
// modification order of count_ (never decreasing for one reader); after the incrementing threads are
// joined it is exact. The counter orders no other memory: do not use it as a "results are ready" flag.
class Counter {
 public:
  void increment() noexcept {
    // relaxed: pairs with nothing. Atomicity alone makes every increment count; a reader of the final
    // total is ordered after the increments by join(), not by this operation.
    count_.fetch_add(1, std::memory_order_relaxed);
  }

  std::int64_t value() const noexcept {
    // relaxed: pairs with nothing (see increment()). Reads of one atomic never go back in time:
    // a later load by the same thread never returns an older value in count_'s modification order.
    return count_.load(std::memory_order_relaxed);
  }

 private:
  sync::atomic<std::int64_t> count_{0};
  static_assert(sync::atomic<std::int64_t>::is_always_lock_free, "the counter should not hide a lock");
};

}  // namespace lab
