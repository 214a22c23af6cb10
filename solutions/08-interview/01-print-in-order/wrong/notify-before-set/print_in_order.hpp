// Drill 08.01, WRONG: the waiters use a predicate, but the turn is handed over by notifying first and changing
// the step after, outside the mutex's protection of the notify.
//
// Why it looks right: "wake them, then tell them it is their turn" seems harmless, since the woken thread has to
// take the mutex, and we take it right after to set the step. Why it is wrong: the woken thread can take the
// mutex first, find the step unchanged, and sleep again; then the step changes and nobody notifies. The waiter
// sleeps forever: a lost wakeup. Change the state first (under the mutex), then notify.
// Caught: the explorer reports the LOST WAKEUP with one preemption, every run.
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
    cv_.notify_all();  // BUG: the notify goes out before the step changes; a waiter woken now sees the old step
    sync::lock_guard lock(mu_);
    step_ = step;  // ...and nobody is told about this
  }

  sync::mutex mu_;
  int step_ = 1;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
