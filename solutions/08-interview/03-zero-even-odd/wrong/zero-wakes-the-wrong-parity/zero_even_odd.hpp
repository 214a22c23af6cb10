// Drill 08.03, WRONG: one semaphore per role, but zero() picks the next role by the parity of the number of zeros
// printed BEFORE this one (i - 1), an off-by-one.
//
// Why it looks right: "even count so far, so even() goes next" sounds like parity. Why it is wrong: the number
// that follows the i-th zero is i itself; after the first zero (i = 1) the next number is 1, odd's. This version
// hands the first turn to even(), which prints 2 where 1 comes next (or, for n = 1, hands it to a role that has
// nothing to print, and odd() waits forever).
// Caught: the explorer, on its first schedule, every run.
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
      (((i - 1) % 2 == 1) ? odd_ : even_).release();  // BUG: the next number is i, not i - 1
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
