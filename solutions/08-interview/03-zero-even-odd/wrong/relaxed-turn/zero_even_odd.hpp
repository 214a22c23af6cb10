// Drill 08.03, WRONG: the turn is an atomic (no data race on it), spun on with memory_order_relaxed.
//
// Why it looks right: the sequence comes out right on every run on x86. Why it is wrong: a relaxed load that reads
// another thread's store does not synchronise with it, so what one print wrote is not published to the next: the
// callbacks' writes are a data race, stale on ARM. Store with release, load with acquire.
// Caught: the explorer (a data race on the page in every sim test, every run); ThreadSanitizer in most runs.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class ZeroEvenOdd {
 public:
  explicit ZeroEvenOdd(int n) : n_(n) {}

  void zero(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; ++i) {
      while (turn_.load(std::memory_order_relaxed) != kZero) sync::this_thread::yield();  // BUG: needs acquire
      printNumber(0);
      turn_.store((i % 2 == 1) ? kOdd : kEven, std::memory_order_relaxed);  // BUG: needs release
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      while (turn_.load(std::memory_order_relaxed) != kEven) sync::this_thread::yield();
      printNumber(i);
      turn_.store(kZero, std::memory_order_relaxed);
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      while (turn_.load(std::memory_order_relaxed) != kOdd) sync::this_thread::yield();
      printNumber(i);
      turn_.store(kZero, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr int kZero = 0;
  static constexpr int kOdd = 1;
  static constexpr int kEven = 2;
  const int n_;
  sync::atomic<int> turn_{kZero};
};

}  // namespace lab
