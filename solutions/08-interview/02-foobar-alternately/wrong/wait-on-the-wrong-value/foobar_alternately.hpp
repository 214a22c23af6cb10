// Drill 08.02, WRONG: atomic::wait on the turn, but each side passes its OWN value: turn_.wait(kFoo) in foo(),
// read as "wait for foo's turn".
//
// Why it looks right: wait(x) reads like "wait until the value is x". Why it is wrong: atomic::wait(old) blocks
// while the value EQUALS old and returns once it differs: foo() sleeps while it is its own turn, and bar() goes
// straight through while it is foo's. bar prints first, and foo() sleeps until bar's store wakes it. Pass the
// value you are waiting to LEAVE: the other side's turn.
// Caught: the explorer, on its first schedule (bar prints first), every run.
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
      turn_.wait(kFoo, std::memory_order_acquire);  // BUG: blocks while it IS foo's turn
      printFoo();
      turn_.store(kBar, std::memory_order_release);
      turn_.notify_one();
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      turn_.wait(kBar, std::memory_order_acquire);  // BUG: returns at once while it is foo's turn
      printBar();
      turn_.store(kFoo, std::memory_order_release);
      turn_.notify_one();
    }
  }

 private:
  static constexpr int kFoo = 0;
  static constexpr int kBar = 1;
  const int n_;
  sync::atomic<int> turn_{kFoo};
};

}  // namespace lab
