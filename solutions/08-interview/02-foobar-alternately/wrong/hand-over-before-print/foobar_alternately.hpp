// Drill 08.02, WRONG: the right mutex + condition variable handover, done BEFORE the print instead of after.
//
// Why it looks right: "as soon as it is my turn, let the other side get ready" feels like overlap for free, and
// the other thread usually takes longer to wake than this one takes to print. Why it is wrong: once the turn is
// handed over, the other side may print at once, before this side's print (or during it). The turn means "the
// previous print is done": hand it over after the print.
// Caught: the explorer preempts between the handover and the print, every run.
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
      take_turn_and_hand_over(true);
      printFoo();  // BUG: bar already has the turn
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      take_turn_and_hand_over(false);
      printBar();
    }
  }

 private:
  void take_turn_and_hand_over(bool foos) {
    {
      sync::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return foo_turn_ == foos; });
      foo_turn_ = !foos;  // BUG: the other side's turn before this side has printed
    }
    cv_.notify_one();
  }

  const int n_;
  sync::mutex mu_;
  bool foo_turn_ = true;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
