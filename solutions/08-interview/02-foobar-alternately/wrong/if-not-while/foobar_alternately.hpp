// Drill 08.02, WRONG: a bool turn under a mutex and a condition variable, but each side checks with `if`.
//
// Why it looks right: "if it is not my turn, sleep until the other side notifies": the other side notifies only
// after it flipped the turn. Why it is wrong: a wait may return with no notify at all (a spurious wakeup, which
// the standard allows), and then the side prints out of turn: foo twice in a row, or bar first. After every
// wakeup the turn must be checked again: `while`, or cv_.wait(lock, predicate).
// Caught: the explorer tries a spurious wakeup in every wait, every run.
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
      {
        sync::unique_lock lock(mu_);
        if (!foo_turn_) cv_.wait(lock);  // BUG: one check; a wakeup is not a promise that it is my turn
      }
      printFoo();
      hand_over(false);
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      {
        sync::unique_lock lock(mu_);
        if (foo_turn_) cv_.wait(lock);  // BUG: the same
      }
      printBar();
      hand_over(true);
    }
  }

 private:
  void hand_over(bool to_foo) {
    {
      sync::lock_guard lock(mu_);
      foo_turn_ = to_foo;
    }
    cv_.notify_one();
  }

  const int n_;
  sync::mutex mu_;
  bool foo_turn_ = true;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
