// Drill 08.02, WRONG: predicate waits, but each handover notifies first and flips the turn after.
//
// Why it looks right: the other side has to take the mutex to look at the turn, and we take it right after the
// notify to flip it. Why it is wrong: the woken side can take the mutex first, see the old turn, and sleep
// again; then the turn flips and nobody notifies: both sides asleep, a lost wakeup. Change the state (under the
// mutex), then notify.
// Caught: the explorer reports the LOST WAKEUP with one preemption, every run.
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
      wait_for_turn(true);
      printFoo();
      hand_over(false);
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      wait_for_turn(false);
      printBar();
      hand_over(true);
    }
  }

 private:
  void wait_for_turn(bool foos) {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return foo_turn_ == foos; });
  }

  void hand_over(bool to_foo) {
    cv_.notify_one();  // BUG: before the flip; the woken side can still see the old turn
    sync::lock_guard lock(mu_);
    foo_turn_ = to_foo;  // ...and nobody is told about this
  }

  const int n_;
  sync::mutex mu_;
  bool foo_turn_ = true;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
