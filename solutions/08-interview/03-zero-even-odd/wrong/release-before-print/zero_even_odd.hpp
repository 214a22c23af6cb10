// Drill 08.03, WRONG: one semaphore per role, but zero() releases the next role's semaphore BEFORE it prints its 0.
//
// Why it looks right: the handover is to the right role, and "let it get ready while I print" sounds harmless.
// Why it is wrong: once released, odd() or even() can print before this 0 is printed ("1 0" instead of "0 1"), or
// while it is being printed. A release means "my print is done": release after the print.
// Caught: the explorer, every run (a data race on the page, or a number before its zero).
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
      ((i % 2 == 1) ? odd_ : even_).release();  // BUG: the next role may print before this 0
      printNumber(0);
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
  sync::binary_semaphore zero_{1};
  sync::binary_semaphore odd_{0};
  sync::binary_semaphore even_{0};
};

}  // namespace lab
