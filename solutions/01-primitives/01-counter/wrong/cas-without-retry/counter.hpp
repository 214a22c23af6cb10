// Lab 01.01 counter, WRONG (cas-without-retry): increment() reads the count and compare_exchange_strong()s it
// to count + 1, once, and ignores the result.
//
// Why it looks right: a compare-exchange is one indivisible read-modify-write, so "no other thread can sneak
// in between the read and the write" seems settled; compare_exchange_strong (not weak) never fails
// spuriously; no lock, and ThreadSanitizer has no data race to report. Why it is wrong: the exchange fails,
// and does nothing, exactly when another thread changed the count since our load, that is, exactly in the
// interleaving that matters. The increment is then silently dropped: two threads load 0, one exchanges 0 -> 1,
// the other's exchange fails, and the count stays 1. A stress test rarely hits the window; the explorer finds
// the schedule on every run (CounterTest.TwoIncrementsAreNeverLost). The fix: retry until it succeeds
// (`while (!count_.compare_exchange_weak(old, old + 1, std::memory_order_relaxed)) {}`, which reloads `old`
// on failure), or simply `count_.fetch_add(1, std::memory_order_relaxed);`.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    std::int64_t old = count_.load();
    count_.compare_exchange_strong(old, old + 1);  // BUG: false when another thread got in first, and ignored
  }

  std::int64_t value() const { return count_.load(); }

 private:
  sync::atomic<std::int64_t> count_{0};
};

}  // namespace lab
