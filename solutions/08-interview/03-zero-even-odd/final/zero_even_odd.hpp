// Drill 08.03 zero-even-odd, FINAL: three binary semaphores, one per role; a release hands the turn to exactly
// one role.
//
// What changed from improved, and why: improved woke every waiter at each handover and let each check whether it
// was meant (notify_all on one condition variable). A semaphore per role wakes only the role whose turn it is:
// zero() releases odd_'s or even_'s, they release zero_'s. No predicate, no shared state to guard, and a release
// that comes before the acquire is kept (a semaphore counts), so there is no lost wakeup. release() happens-before
// the acquire() it unblocks ([thread.sema.cnt]), so each print happens-before the next. zero_ starts at 1: zero
// has the first turn; the others start at 0.
//
// Trade-off: three semaphores and a parity rule spread over three methods; the mutex version keeps the whole
// protocol in one `turn_`. With atomic::wait the turn can be one word again, but a waiter must loop, because with
// three values wait(old) returns when the turn changes to ANY other value, not to its own
// (wrong/wait-once-on-three-states).
//
// What an expert would still do differently in production: the same as 08.02: three threads handing over a turn
// per number do nothing in parallel; this is a puzzle about handovers, not a design.
//
// Lesson: modules/08-interview/02-taking-turns.md ("Semaphores: a turn you can hand over before anyone waits").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// ZeroEvenOdd: prints 0 1 0 2 ... 0 n (2n numbers), whatever order the three threads start in.
//   - zero(), even(), odd() are each called once, from three threads, in any order; 1 <= n.
//   - each printNumber() call starts after the one before it in the sequence returned, and happens-after it
//     (release happens-before the acquire it unblocks).
//   - a method whose turn has not come blocks (does not spin).
//   - destroy the object only after all three calls have returned.
class ZeroEvenOdd {
 public:
  explicit ZeroEvenOdd(int n) : n_(n) {}
  ZeroEvenOdd(const ZeroEvenOdd&) = delete;
  ZeroEvenOdd& operator=(const ZeroEvenOdd&) = delete;

  void zero(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; ++i) {
      zero_.acquire();
      printNumber(0);
      ((i % 2 == 1) ? odd_ : even_).release();  // the number that follows this zero is i: odd's or even's
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      even_.acquire();
      printNumber(i);
      zero_.release();
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      odd_.acquire();
      printNumber(i);
      zero_.release();
    }
  }

 private:
  const int n_;
  sync::binary_semaphore zero_{1};  // zero's turn; it has the first one
  sync::binary_semaphore odd_{0};   // released by zero() before each odd number
  sync::binary_semaphore even_{0};  // released by zero() before each even number
};

}  // namespace lab
