// Drill 08.01 print-in-order, IMPROVED: a step counter under a mutex, and a condition variable to wait on.
//
// What changed from naive, and why: the flags become one `int step_` guarded by mu_, so every read and write of
// it is ordered by the mutex (no data race, and what a callback wrote before the unlock is visible after the
// next lock). The waiting thread no longer spins: cv_.wait(lock, predicate) checks the step under the lock,
// and if it is not its turn yet, releases the lock and sleeps as one step, so a notify cannot fall between the
// check and the sleep; after every wakeup (spurious ones included) it checks again.
//
// Two choices an interviewer asks about:
//   - notify_all, not notify_one: second() and third() may both be asleep on the one condition variable, and
//     first()'s notify is for second(). notify_one could wake third(), which finds it is not its turn and
//     sleeps again: second() would sleep forever. (Two condition variables, one per waiter, would allow
//     notify_one; with three threads the difference is nothing.)
//   - the notify is after the unlock: the woken thread does not wake only to block on a mutex we still hold.
//     Notifying under the lock is correct too; it costs a context switch at most.
//
// Lesson: modules/08-interview/02-taking-turns.md ("A mutex and a condition variable").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Foo: prints first, second, third in that order, whatever order the three threads call in.
//   - first(), second(), third() are each called once, from three threads, in any order.
//   - printSecond() starts after printFirst() returned, printThird() after printSecond() returned, and each
//     callback happens-after the previous one (the step passes through mu_).
//   - second() and third() block (they do not spin) until it is their turn.
//   - destroy the Foo only after all three calls have returned.
class Foo {
 public:
  Foo() = default;
  Foo(const Foo&) = delete;
  Foo& operator=(const Foo&) = delete;

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
    cv_.wait(lock, [&] { return step_ == step; });  // checks before sleeping and after every wakeup
  }

  void advance_to(int step) {
    {
      sync::lock_guard lock(mu_);
      step_ = step;
    }
    cv_.notify_all();  // both later methods may be asleep on cv_: wake both, each re-checks its step
  }

  sync::mutex mu_;
  int step_ = 1;  // guarded by mu_: whose turn it is (1 first, 2 second, 3 third)
  sync::condition_variable cv_;
};

}  // namespace lab
