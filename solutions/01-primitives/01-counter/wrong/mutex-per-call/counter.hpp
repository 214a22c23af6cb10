// Lab 01.01 counter, WRONG (mutex-per-call): increment() locks a mutex, but a new one on every call.
//
// Why it looks right: increment() says `sync::lock_guard lock(mu); ++count_;`, exactly the shape of the
// lesson's fix, and a one-thread test passes. Why it is wrong: `mu` is a local variable, so every call (and so
// every thread) locks its own mutex, which nobody else ever locks. A mutex excludes only the threads that lock
// THE SAME mutex: here nothing is excluded and `++count_` races exactly as with no lock at all (and so does
// value(), which locks nothing). ThreadSanitizer reports the data race in most runs of the tests with two or
// more threads (in some, the tens of thousands of locks make it recycle its clocks and forget an access), and
// the explorer on its first schedule, every run (CounterTest.TwoIncrementsAreNeverLost,
// CounterTest.ValueReadWhileAnotherThreadIncrementsIsSafe). The fix:
// one mutex shared by every call, a member `mutable sync::mutex mu_;` declared right above the count it
// guards, locked in increment() and in value().
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    sync::mutex mu;  // BUG: a fresh mutex on each call, so no other thread ever waits for it
    sync::lock_guard lock(mu);
    ++count_;
  }

  std::int64_t value() const { return count_; }

 private:
  std::int64_t count_ = 0;  // meant to be guarded, but by a different mutex in every call
};

}  // namespace lab
