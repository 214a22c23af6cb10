// Drill 08.02 foobar-alternately, FINAL: the turn is one sync::atomic<int>, and each side sleeps on it with C++20
// atomic::wait.
//
// What changed from improved, and why: the mutex guarded one word, and the condition variable's predicate only
// compared that word with a value. atomic::wait(old) is that comparison and the sleep as one step: it blocks
// while the word still equals `old` and returns once it differs ([atomics.wait]); a notify that follows a store
// of a new value cannot be lost, because a waiter that read the old value and blocked is woken by it, and one
// that reads the new value never blocks. No mutex: an uncontended handover is one store and one notify (on Linux
// libstdc++, a futex wake only when someone sleeps). foo waits while the turn is kBar, bar while it is kFoo:
// each waits to LEAVE the other's value, the opposite of what the word "wait for" suggests
// (wrong/wait-on-the-wrong-value is that slip).
//
// Orders, with their pairs:
//   - each store(..., release) pairs with the other side's acquire in wait() (atomic::wait's own load): the
//     print before the store happens-before the other side's print after its wait returns.
// No loop around wait(): it re-checks after every wakeup itself, and only the other side can change the turn.
//
// Also correct, and what many interviewers expect: two semaphores, foo's starting at 1 and bar's at 0; foo()
// acquires its own and releases bar's, bar() the reverse. The same handover, with a counter that remembers a
// release; this version needs one word instead of two and no initial-count puzzle.
//
// What an expert would still do differently in production: n handovers of a tiny print are dominated by the
// handover itself (two futex calls and two context switches per round). A real pipeline batches: one thread
// produces many items into a queue, or the two steps run on one thread.
//
// Lesson: modules/08-interview/02-taking-turns.md ("atomic::wait: the turn is the word").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// FooBar: prints foo, bar, foo, bar... (n times each), whatever order the two threads start in.
//   - foo() and bar() are each called once, from two threads, in any order; 1 <= n.
//   - each printBar() starts after the printFoo() of its round returned, each later printFoo() after the
//     printBar() before it returned, and each callback happens-after the previous one (release store, acquire
//     wait).
//   - a side whose turn has not come blocks (does not spin).
//   - destroy the FooBar only after both calls have returned.
class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {}
  FooBar(const FooBar&) = delete;
  FooBar& operator=(const FooBar&) = delete;

  void foo(std::function<void()> printFoo) {
    for (int i = 0; i < n_; ++i) {
      turn_.wait(kBar, std::memory_order_acquire);  // sleeps while it is bar's turn; acquire pairs with bar()'s store
      printFoo();
      turn_.store(kBar, std::memory_order_release);  // release: publishes printFoo()'s writes to bar()'s wait
      turn_.notify_one();
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      turn_.wait(kFoo, std::memory_order_acquire);  // sleeps while it is foo's turn; acquire pairs with foo()'s store
      printBar();
      turn_.store(kFoo, std::memory_order_release);  // release: publishes printBar()'s writes to foo()'s wait
      turn_.notify_one();
    }
  }

 private:
  static constexpr int kFoo = 0;
  static constexpr int kBar = 1;
  const int n_;
  sync::atomic<int> turn_{kFoo};
};

}  // namespace lab
