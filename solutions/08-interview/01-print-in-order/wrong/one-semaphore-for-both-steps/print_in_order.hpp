// Drill 08.01, WRONG: one semaphore passed along like a baton: first() releases it, second() acquires it and
// releases it again, third() acquires it.
//
// Why it looks right: the baton goes first -> second -> third, and one semaphore is simpler than two. Why it is
// wrong: a semaphore's permit does not say who it is for. When first() releases, second() and third() may both be
// waiting (or third() may arrive first), and third() can take the permit meant for second(): it prints right
// after "first". "First is done" and "second is done" are two facts; they need two semaphores (or a step that
// counts 1, 2, 3).
// Caught: the explorer runs the schedule where third() acquires first's permit, every run.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  void first(std::function<void()> printFirst) {
    printFirst();
    baton_.release();
  }

  void second(std::function<void()> printSecond) {
    baton_.acquire();
    printSecond();
    baton_.release();
  }

  void third(std::function<void()> printThird) {
    baton_.acquire();  // BUG: may take the permit first() released for second()
    printThird();
  }

 private:
  sync::binary_semaphore baton_{0};  // BUG: one permit for two different handovers
};

}  // namespace lab
