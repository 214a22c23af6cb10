// Drill 08.03, WRONG: one semaphore per role, but zero's starts at 0 like the others.
//
// Why it looks right: "every semaphore starts at 0, and each release hands a turn" is the rule that worked for
// the odd and even ones. Why it is wrong: a permit is a turn, and zero has the first turn before anyone has
// released anything. With zero_ at 0, all three threads wait for a release that only they could make: nothing is
// ever printed. The initial counts are part of the protocol: zero's starts at 1.
// Caught: the explorer reports every thread blocked (a lost wakeup: nobody is left to release) on its first
// schedule, every run.
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
      zero_.acquire();
      printNumber(0);
      ((i % 2 == 1) ? odd_ : even_).release();
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
  sync::binary_semaphore zero_{0};  // BUG: zero has the first turn: must start at 1
  sync::binary_semaphore odd_{0};
  sync::binary_semaphore even_{0};
};

}  // namespace lab
