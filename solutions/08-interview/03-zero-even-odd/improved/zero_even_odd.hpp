// Drill 08.03 zero-even-odd, IMPROVED: the turn under a mutex, and one condition variable all three wait on.
//
// What changed from naive, and why: turn_ is guarded by mu_, so its accesses are ordered and each print
// happens-before the next (one side's unlock, the next side's lock). The waiting threads sleep: cv_.wait(lock,
// predicate) checks under the lock, releases it and sleeps as one step, and re-checks after every wakeup.
//
// The question an interviewer asks here: notify_all, because three roles wait on ONE condition variable for three
// different conditions. When zero() hands the turn to odd(), even() may be asleep too; notify_one could wake
// even(), which finds it is not its turn and sleeps again, and odd() would sleep forever (wrong/notify-one). The
// price of notify_all is a wakeup for nobody: even() wakes, checks, sleeps. Three condition variables (one per
// role) would allow notify_one and wake only the right thread; that is what the semaphores of final do.
//
// Lesson: modules/08-interview/02-taking-turns.md ("Three roles on one condition variable").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// ZeroEvenOdd: prints 0 1 0 2 ... 0 n (2n numbers), whatever order the three threads start in.
//   - zero(), even(), odd() are each called once, from three threads, in any order; 1 <= n.
//   - each printNumber() call starts after the one before it in the sequence returned, and happens-after it (the
//     turn passes through mu_).
//   - a method whose turn has not come blocks (does not spin).
//   - destroy the object only after all three calls have returned.
class ZeroEvenOdd {
 public:
  explicit ZeroEvenOdd(int n) : n_(n) {}
  ZeroEvenOdd(const ZeroEvenOdd&) = delete;
  ZeroEvenOdd& operator=(const ZeroEvenOdd&) = delete;

  void zero(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; ++i) {
      wait_for(kZero);
      printNumber(0);
      hand_to((i % 2 == 1) ? kOdd : kEven);  // the number that follows this zero is i
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
    cv_.wait(lock, [&] { return turn_ == role; });  // checks before sleeping and after every wakeup
  }

  void hand_to(int role) {
    {
      sync::lock_guard lock(mu_);
      turn_ = role;
    }
    cv_.notify_all();  // three roles wait on cv_: wake them all, each re-checks
  }

  const int n_;
  sync::mutex mu_;
  int turn_ = kZero;  // guarded by mu_: kZero, kOdd or kEven
  sync::condition_variable cv_;
};

}  // namespace lab
