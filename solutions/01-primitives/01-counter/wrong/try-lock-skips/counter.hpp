// Lab 01.01 counter, WRONG (try-lock-skips): increment() takes the mutex with try_lock(), and when that fails
// it skips the increment instead of waiting.
//
// Why it looks right: "never block" sounds fast, the count is only ever touched under the mutex (so
// ThreadSanitizer has no race to report), and with one thread try_lock() always succeeds, so the one-thread
// tests pass. Why it is wrong: try_lock() fails whenever another thread holds the mutex, and the standard
// lets it fail spuriously even when nobody does. Each failure drops an increment on the floor: the count is
// right only when no two increments ever meet. A stress test loses some increments in some runs; the explorer
// tries the schedule where both threads are inside increment() and a spurious failure of try_lock(), on every
// run (CounterTest.TwoIncrementsAreNeverLost, CounterTest.ValueReadWhileAnotherThreadIncrementsIsSafe). The
// fix: `sync::lock_guard lock(mu_);`, which waits for the mutex (or fetch_add, which never needs it).
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    if (mu_.try_lock()) {  // BUG: a busy (or spuriously failing) try_lock() drops the increment
      ++count_;
      mu_.unlock();
    }
  }

  std::int64_t value() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  std::int64_t count_ = 0;  // guarded by mu_
};

}  // namespace lab
