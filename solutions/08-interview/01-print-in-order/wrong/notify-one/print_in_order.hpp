// Drill 08.01, WRONG: a step under a mutex, predicate waits on one condition variable, and notify_one() to hand
// over the turn ("only one thread's turn comes next, so wake one").
//
// Why it looks right: exactly one thread can go on after each step, and notify_one is cheaper. Why it is wrong:
// notify_one wakes ONE of the threads asleep on the condition variable, not the one whose turn it is. If second()
// and third() are both asleep when first() notifies, third() may be the one woken: it checks, finds step 2, and
// sleeps again; second() is never woken, and nobody else will notify. A lost wakeup. With one condition variable
// and waiters for different conditions, notify_all (or one condition variable per waiter).
// Caught: the explorer runs third(), second(), first() with both asleep and reports the LOST WAKEUP, every run.
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
    wait_for_step(2);
    printSecond();
    advance_to(3);
  }

  void third(std::function<void()> printThird) {
    wait_for_step(3);
    printThird();
  }

 private:
  void wait_for_step(int step) {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return step_ == step; });
  }

  void advance_to(int step) {
    {
      sync::lock_guard lock(mu_);
      step_ = step;
    }
    cv_.notify_one();  // BUG: may wake the waiter whose turn it is not; the right one sleeps on
  }

  sync::mutex mu_;
  int step_ = 1;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
