// final: latch-like, on one std::atomic<int> with C++20 wait/notify. No mutex at all.
//
// Changed from improved: the counter is an atomic that add()/done() change with one compare-exchange, and
// wait() blocks on the counter itself with std::atomic::wait (a futex on Linux). done() costs one atomic
// read-modify-write unless it is the one that reaches zero, which also calls notify_all(); it never takes a
// lock, so workers finishing at once do not queue up on a mutex. This is how std::latch is built; unlike a
// latch, the counter can go up again (add()), and going below zero is an error, not undefined behaviour.
//
// Why compare-exchange and not fetch_sub: the counter must never be seen below zero, not even for a moment
// (a fetch_sub that "undoes" itself would let another thread see -1, or see 0 and leave wait() too early).
//
// What an expert would still do differently in production:
//   - Often nothing here at all: std::latch when the count is known up front and used once, or a structured
//     concurrency helper (a task group that joins its tasks in its destructor) so nobody counts by hand.
//   - Detect misuse as Go does: an add() from zero while waiters of the previous round are still waking up.
//   - Mind lifetimes: the last done() calls notify_all() after the counter is already zero, so a waiter may
//     return and destroy the WaitGroup while that call is still finishing. libstdc++ only issues a futex
//     wake on the address then, and std::latch has the same shape, but code that frees the WaitGroup right
//     after wait() should keep it alive a little longer (e.g. in a shared_ptr that done() also holds).
#pragma once

#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup.
//
// Contract:
//   - add(n) adds n (which may be negative) to the counter; done() is add(-1). A call that would take the
//     counter below zero throws std::logic_error and leaves it unchanged.
//   - wait() blocks until the counter is zero; it returns at once if it already is. Any number of waiters.
//   - Happens-before: everything a thread did before its done() is visible to every thread whose wait()
//     returns because of it (release compare-exchange in add(), acquire load in wait()).
//   - Reuse: a new round's first add() must happen after every wait() of the previous round has returned.
//   - All methods are thread-safe. The WaitGroup must outlive every call on it.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) {
    // relaxed: only a first guess for the compare-exchange, which re-reads the real value if it is stale.
    int current = count_.load(std::memory_order_relaxed);
    int next = 0;
    do {
      next = current + n;
      if (next < 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
      // release: publishes what this thread did before done(); pairs with the acquire loads in wait().
      // Every change to count_ is a read-modify-write, so each one continues the release sequence of the
      // ones before it: the waiter that reads 0 synchronises with EVERY done() of the round, not just the last.
    } while (!count_.compare_exchange_weak(current, next, std::memory_order_release, std::memory_order_relaxed));
    if (next == 0) count_.notify_all();
  }

  void done() { add(-1); }

  void wait() {
    // acquire: pairs with the release compare-exchange in add() that wrote the value we read.
    for (int seen = count_.load(std::memory_order_acquire); seen != 0; seen = count_.load(std::memory_order_acquire)) {
      // Blocks while count_ still equals `seen`; may also return spuriously, hence the loop.
      count_.wait(seen, std::memory_order_acquire);  // acquire: as above
    }
  }

  int count() const {
    return count_.load(std::memory_order_relaxed);  // relaxed: a snapshot, publishes nothing
  }

 private:
  sync::atomic<int> count_{0};  // > 0 while tasks are outstanding; never below 0
};

}  // namespace lab
