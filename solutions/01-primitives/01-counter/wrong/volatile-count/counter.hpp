// Lab 01.01 counter, WRONG (volatile-count): the count is `volatile`, incremented with no lock.
//
// Why it looks right: `volatile` tells the compiler that the variable may change behind its back, so every
// read and write really goes to memory and none is kept in a register; in Java and C# a volatile field is
// even safe to share between threads. Why it is wrong: in C++, volatile is for memory-mapped hardware and
// signal handlers, not threads. It makes no access atomic (`count_ = count_ + 1` is still a load, an add and
// a store that another thread can fall between) and orders nothing with other threads: two threads writing a
// volatile variable is a data race, undefined behaviour, exactly like a plain one. ThreadSanitizer reports the
// race in every test with two or more threads (CounterTest.ConcurrentIncrementsAreNotLost,
// CounterTest.MoreThreadsThanCoresLoseNothing, CounterTest.ValueIsSafeToReadWhileOthersIncrement), and the
// explorer on its first schedule (CounterTest.TwoIncrementsAreNeverLost,
// CounterTest.ValueReadWhileAnotherThreadIncrementsIsSafe). The fix: `sync::atomic<std::int64_t>` with
// fetch_add (lesson 04), or a mutex.
#pragma once

#include <cstdint>

namespace lab {

class Counter {
 public:
  void increment() { count_ = count_ + 1; }  // BUG: volatile, but still load, add, store, and a data race
  std::int64_t value() const { return count_; }

 private:
  volatile std::int64_t count_ = 0;  // "volatile: always read from memory" is not "thread-safe"
};

}  // namespace lab
