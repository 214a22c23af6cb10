// Drill 08.01, WRONG: a step under a mutex and one condition variable, but each waiter checks with `if`, not
// `while`.
//
// Why it looks right: "if it is not my turn, sleep until notified" sounds complete: someone notifies only when
// the step changes. Why it is wrong: a notify wakes a waiter, not the RIGHT waiter. first() advances the step to
// 2 and calls notify_all(): third() wakes too, skips its (single) check, and prints before second(). And any wait
// may return with no notify at all (a spurious wakeup, which the standard allows). After a wakeup the condition
// must be checked again: `while (step_ != 3) cv_.wait(lock);` or cv_.wait(lock, predicate).
// Caught: the explorer runs the schedules where third() is woken before its turn (by first()'s notify_all, or
// spuriously) and where second() wakes spuriously before first() ran, every run.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  void first(std::function<void()> printFirst) {
    printFirst();
    advance_to(2);
  }

  void second(std::function<void()> printSecond) {
    {
      sync::unique_lock lock(mu_);
      if (step_ != 2) cv_.wait(lock);  // BUG: one check; a wakeup is not a promise that it is my turn
    }
    printSecond();
    advance_to(3);
  }

  void third(std::function<void()> printThird) {
    {
      sync::unique_lock lock(mu_);
      if (step_ != 3) cv_.wait(lock);  // BUG: woken by first()'s notify_all, goes on at step 2
    }
    printThird();
  }

 private:
  void advance_to(int step) {
    {
      sync::lock_guard lock(mu_);
      step_ = step;
    }
    cv_.notify_all();
  }

  sync::mutex mu_;
  int step_ = 1;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
