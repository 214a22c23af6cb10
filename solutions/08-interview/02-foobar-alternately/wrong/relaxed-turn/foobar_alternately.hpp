// Drill 08.02, WRONG: the turn is an atomic (no data race on it), spun on with memory_order_relaxed.
//
// Why it looks right: it alternates in every run on x86, where every load acquires and every store releases in
// hardware. Why it is wrong: in C++ a relaxed load that reads the other side's store does not synchronise with
// it, so what printFoo() wrote is not guaranteed visible to printBar(): the callbacks' writes are a data race, and
// on ARM they can be seen stale. The store must release and the load acquire.
// Caught: the explorer follows the C++ memory model: a data race on the page in every sim test, every run;
// ThreadSanitizer, which knows relaxed orders nothing, in the n = 1000 tests in most runs (not every run: it
// keeps only a few recent accesses per word, and missed it in 1 of 20 stressed runs).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {}

  void foo(std::function<void()> printFoo) {
    for (int i = 0; i < n_; ++i) {
      while (turn_.load(std::memory_order_relaxed) != kFoo) sync::this_thread::yield();  // BUG: needs acquire
      printFoo();
      turn_.store(kBar, std::memory_order_relaxed);  // BUG: needs release
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      while (turn_.load(std::memory_order_relaxed) != kBar) sync::this_thread::yield();
      printBar();
      turn_.store(kFoo, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr int kFoo = 0;
  static constexpr int kBar = 1;
  const int n_;
  sync::atomic<int> turn_{kFoo};
};

}  // namespace lab
