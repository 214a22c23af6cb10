// Lab 01.01 counter, WRONG (fetch-add-on-a-copy): increment() uses fetch_add, but on an atomic copy of the
// count made for the call, and then writes the result back to the plain count.
//
// Why it looks right: the lesson says "make the count a sync::atomic and use fetch_add", and here is a
// fetch_add on a sync::atomic; the count member stays a plain integer so value() and the rest of the class do
// not change. Why it is wrong: atomicity belongs to one object shared by the threads, not to the operation. The
// local atomic is created from a plain read of count_, is seen by no other thread, and its result is stored
// back with a plain write: load, add, store, as in the naive version, and a data race on count_.
// ThreadSanitizer reports it in the tests with two or more threads, and the explorer on its first schedule,
// every run (CounterTest.TwoIncrementsAreNeverLost, CounterTest.ValueReadWhileAnotherThreadIncrementsIsSafe). The fix: the member itself is the atomic,
// `sync::atomic<std::int64_t> count_{0};`, and increment() is `count_.fetch_add(1, std::memory_order_relaxed);`.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    sync::atomic<std::int64_t> count(count_);  // BUG: an atomic only this call can see, made from a plain read
    count.fetch_add(1);
    count_ = count.load();  // and a plain write: two threads both write old + 1
  }

  std::int64_t value() const { return count_; }

 private:
  std::int64_t count_ = 0;  // shared by every thread, and not atomic
};

}  // namespace lab
