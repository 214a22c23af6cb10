// Lab 01.01 counter, WRONG (load-then-store): the count is an atomic, but increment() reads it with one
// atomic operation and writes it with another.
//
// Why it looks right: every access to count_ is atomic, so ThreadSanitizer has no data race to report,
// and a stress test rarely loses an increment (the window between the load and the store is a few
// nanoseconds, far shorter than a time slice). Why it is wrong: atomicity is per operation. Two threads
// can both load 41, both compute 42 and both store 42: one increment is lost, exactly as with a plain
// integer. The explorer finds that schedule on every run (CounterTest.TwoIncrementsAreNeverLost); the
// fix is one read-modify-write, fetch_add.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() { count_.store(count_.load() + 1); }  // two atomic steps, not one
  std::int64_t value() const { return count_.load(); }

 private:
  sync::atomic<std::int64_t> count_{0};
};

}  // namespace lab
