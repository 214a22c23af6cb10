// Drill 08.02, WRONG: atomic::wait on the right value, but the handover only stores the new turn; no notify.
//
// Why it looks right: the waiter is waiting for the value to change, and the store changes it. Why it is wrong:
// atomic::wait does not poll. A thread that read the old value and went to sleep stays asleep until a notify
// on that atomic wakes it (or spuriously); the store alone wakes nobody. Store, then notify_one() (or
// notify_all()).
// Caught: the explorer reports the waiter asleep with nobody left to wake it, every run.
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
      turn_.wait(kBar, std::memory_order_acquire);
      printFoo();
      turn_.store(kBar, std::memory_order_release);  // BUG: no notify; a bar() asleep in wait() never wakes
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      turn_.wait(kFoo, std::memory_order_acquire);
      printBar();
      turn_.store(kFoo, std::memory_order_release);  // BUG: the same
    }
  }

 private:
  static constexpr int kFoo = 0;
  static constexpr int kBar = 1;
  const int n_;
  sync::atomic<int> turn_{kFoo};
};

}  // namespace lab
