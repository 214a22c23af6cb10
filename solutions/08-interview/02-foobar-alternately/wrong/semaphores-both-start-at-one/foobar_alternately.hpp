// Drill 08.02, WRONG: two semaphores, each side acquires its own and releases the other's, but both start at 1.
//
// Why it looks right: the handover is right (foo releases bar's, bar releases foo's), and "1 means available"
// is how a semaphore guarding a resource starts. Why it is wrong: here a permit is a turn, and at the start only
// foo has one. With bar's starting at 1 too, bar can print before foo has printed anything ("barfoo..."), and
// in later rounds each side can run one ahead. foo's starts at 1, bar's at 0.
// Caught: the explorer runs bar() first, every run.
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
      foo_turn_.acquire();
      printFoo();
      bar_turn_.release();
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      bar_turn_.acquire();
      printBar();
      foo_turn_.release();
    }
  }

 private:
  const int n_;
  sync::counting_semaphore<2> foo_turn_{1};
  sync::counting_semaphore<2> bar_turn_{1};  // BUG: bar has no turn at the start; this must be 0
};

}  // namespace lab
