// Drill 08.02 foobar-alternately, IMPROVED: the turn is a bool under a mutex, and each side waits on a condition
// variable with a predicate.
//
// What changed from naive, and why: foo_turn_ is guarded by mu_, so its reads and writes are ordered (no data
// race) and each print happens-before the other side's next one (unlock, then the other side's lock). The waiting
// side sleeps instead of spinning: cv_.wait(lock, predicate) checks the turn under the lock, and releases the lock
// and sleeps as one step, so the flip-and-notify cannot fall between the check and the sleep; it re-checks after
// every wakeup, spurious ones included.
//
// The questions an interviewer asks:
//   - notify_one is right here: exactly one other thread can be waiting on cv_, and it is the one whose turn
//     just came. (With three or more roles on one condition variable, as in 08.03, it is not.)
//   - the cost: every round is two handovers, each a lock, an unlock and a futex wake of a sleeping thread: a
//     context switch per print. For n = 1000 that is microseconds per round, nothing for a print.
//
// Lesson: modules/08-interview/02-taking-turns.md ("A mutex and a condition variable").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// FooBar: prints foo, bar, foo, bar... (n times each), whatever order the two threads start in.
//   - foo() and bar() are each called once, from two threads, in any order; 1 <= n.
//   - each printBar() starts after the printFoo() of its round returned, each later printFoo() after the
//     printBar() before it returned, and each callback happens-after the previous one (the turn passes
//     through mu_).
//   - a side whose turn has not come blocks (does not spin).
//   - destroy the FooBar only after both calls have returned.
class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {}
  FooBar(const FooBar&) = delete;
  FooBar& operator=(const FooBar&) = delete;

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
    cv_.wait(lock, [&] { return foo_turn_ == foos; });  // checks before sleeping and after every wakeup
  }

  void hand_over(bool to_foo) {
    {
      sync::lock_guard lock(mu_);
      foo_turn_ = to_foo;
    }
    cv_.notify_one();  // only the other side can be waiting
  }

  const int n_;
  sync::mutex mu_;
  bool foo_turn_ = true;  // guarded by mu_: true while it is foo's turn
  sync::condition_variable cv_;
};

}  // namespace lab
