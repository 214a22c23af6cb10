// Drill 08.03, WRONG: a turn under a mutex and one condition variable with notify_all, but each waiter checks
// with `if`.
//
// Why it looks right: "if it is not my turn, sleep until someone notifies". Why it is wrong: with three roles on
// one condition variable, every handover wakes all of them (notify_all, as it must), and a wakeup is only "the
// turn changed", not "it is mine". zero() hands the turn to odd(); even() wakes too, skips its single check and
// prints out of turn. And a wait may wake spuriously. Check again after every wakeup: `while`, or a predicate.
// Caught: the explorer, every run (a wakeup meant for another role, or a spurious one).
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
      wait_for(kZero);
      printNumber(0);
      hand_to((i % 2 == 1) ? kOdd : kEven);
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      wait_for(kEven);
      printNumber(i);
      hand_to(kZero);
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      wait_for(kOdd);
      printNumber(i);
      hand_to(kZero);
    }
  }

 private:
  static constexpr int kZero = 0;
  static constexpr int kOdd = 1;
  static constexpr int kEven = 2;

  void wait_for(int role) {
    sync::unique_lock lock(mu_);
    if (turn_ != role) cv_.wait(lock);  // BUG: one check; woken by a handover to another role, it goes on
  }

  void hand_to(int role) {
    {
      sync::lock_guard lock(mu_);
      turn_ = role;
    }
    cv_.notify_all();
  }

  const int n_;
  sync::mutex mu_;
  int turn_ = kZero;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
