// Drill 08.03, WRONG: predicate waits on one condition variable, but each handover calls notify_one().
//
// Why it looks right: after each print exactly one role may go next, so wake one; in 08.02 notify_one was right.
// Why it is wrong: in 08.02 only one other thread could be waiting; here odd() and even() can both be asleep on
// the same condition variable when zero() hands the turn to one of them. notify_one may wake the other, which
// checks, finds it is not its turn, and sleeps again; the one whose turn it is is never woken. A lost wakeup.
// With several roles on one condition variable: notify_all (or a condition variable, or semaphore, per role).
// Caught: the explorer reports the LOST WAKEUP, every run.
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
    cv_.wait(lock, [&] { return turn_ == role; });
  }

  void hand_to(int role) {
    {
      sync::lock_guard lock(mu_);
      turn_ = role;
    }
    cv_.notify_one();  // BUG: may wake the role whose turn it is not; the right one sleeps on
  }

  const int n_;
  sync::mutex mu_;
  int turn_ = kZero;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
