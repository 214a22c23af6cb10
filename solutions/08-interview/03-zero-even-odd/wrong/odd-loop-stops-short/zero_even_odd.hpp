// Drill 08.03, WRONG: one semaphore per role, but odd()'s loop is `i < n_`, the loop bound of every array loop.
//
// Why it looks right: `for (i = 1; i < n; i += 2)` is the reflex; the output is right for every even n. Why it
// is wrong: for odd n the last number is n itself, which is odd. odd() has already returned when zero() hands it
// the last turn, so n is never printed and the output ends with a 0 ("0" for n = 1, "0 1 0 2 0" for n = 3). Count
// the numbers each role prints: odd() prints ceil(n/2) of them, i = 1, 3, ... <= n.
// Caught: the explorer, in OneNumber, every run (the page has 1 number, not 2).
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
    for (int i = 1; i < n_; i += 2) {  // BUG: misses n itself when n is odd
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
