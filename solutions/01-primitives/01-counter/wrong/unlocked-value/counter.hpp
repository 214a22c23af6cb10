// Lab 01.01 counter, WRONG (unlocked-value): increment() locks the mutex, value() reads the count without it.
//
// Why it looks right: value() only reads, and reading a 64-bit integer is one instruction on x86, so it
// cannot see half a write; every increment is still made under the lock, so the total after join() is exact
// and every test that reads only after join() passes. Why it is wrong: a read that runs while another thread
// writes, with nothing ordering the two, is a data race, undefined behaviour in C++ whatever the CPU does: the
// compiler may keep the count in a register across a loop of value() calls, or read it in two halves on a
// 32-bit target. The lock orders writers with writers; a reader that skips it is ordered with nobody.
// ThreadSanitizer reports the race in most runs of CounterTest.ValueIsSafeToReadWhileOthersIncrement (not all:
// tens of thousands of lock/unlock pairs make it recycle its clocks, and then it can forget the read), and the
// explorer on every run, on the first schedule where value() and increment() both touch the count
// (CounterTest.ValueReadWhileAnotherThreadIncrementsIsSafe). The fix: `sync::lock_guard lock(mu_);` in
// value() too (mu_ is mutable for that), or one sync::atomic.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    sync::lock_guard lock(mu_);
    ++count_;
  }

  std::int64_t value() const {
    return count_;  // BUG: "only a read", so no lock: a data race with increment()
  }

 private:
  mutable sync::mutex mu_;
  std::int64_t count_ = 0;  // guarded by mu_ (in increment() only)
};

}  // namespace lab
