// Drill 08.03, WRONG: the turn is one atomic, and odd() and even() sleep with a single turn_.wait(kZero): "wait
// while it is zero's turn".
//
// Why it looks right: in 08.02 one wait(other side's value) was exactly right, because with two values "not
// theirs" means "mine". Why it is wrong: with three values it does not. atomic::wait(kZero) returns as soon as the
// turn is anything but kZero; when zero() hands the turn to odd(), even() returns from its wait too (or was never
// asleep) and prints out of turn. And when even() arrives while it is odd's turn, it does not wait at all. Loop
// until the turn is your own: `for (int t = turn_.load(acquire); t != mine; t = turn_.load(acquire))
// turn_.wait(t, acquire);`, and notify_all, since two roles may sleep on the word.
// Caught: the explorer, every run.
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
      wait_while_not(kZero);
      printNumber(0);
      turn_.store((i % 2 == 1) ? kOdd : kEven, std::memory_order_release);
      turn_.notify_all();
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      turn_.wait(kZero, std::memory_order_acquire);  // BUG: returns on ANY turn but zero's, odd's included
      printNumber(i);
      turn_.store(kZero, std::memory_order_release);
      turn_.notify_all();
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      turn_.wait(kZero, std::memory_order_acquire);  // BUG: the same
      printNumber(i);
      turn_.store(kZero, std::memory_order_release);
      turn_.notify_all();
    }
  }

 private:
  static constexpr int kZero = 0;
  static constexpr int kOdd = 1;
  static constexpr int kEven = 2;

  void wait_while_not(int role) {  // zero() waits correctly: loops until the turn is its own
    for (int t = turn_.load(std::memory_order_acquire); t != role; t = turn_.load(std::memory_order_acquire)) {
      turn_.wait(t, std::memory_order_acquire);
    }
  }

  const int n_;
  sync::atomic<int> turn_{kZero};
};

}  // namespace lab
