// Drill 08.01, WRONG: two semaphores, but each method releases the next one's semaphore BEFORE it prints.
//
// Why it looks right: "let the next one start as soon as I am running" feels like it saves time, and in a test
// the next thread is slower to wake than this one is to print. Why it is wrong: the release says "my print is
// done" while it is not. The woken thread can run printSecond() while printFirst() has not run yet (or is
// running: the two callbacks overlap). Hand over the turn after the work it stands for.
// Caught: the explorer preempts first() between its release and its print, every run.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  void first(std::function<void()> printFirst) {
    first_done_.release();  // BUG: "first is done" before first has printed
    printFirst();
  }

  void second(std::function<void()> printSecond) {
    first_done_.acquire();
    second_done_.release();  // BUG: the same, one step later
    printSecond();
  }

  void third(std::function<void()> printThird) {
    second_done_.acquire();
    printThird();
  }

 private:
  sync::binary_semaphore first_done_{0};
  sync::binary_semaphore second_done_{0};
};

}  // namespace lab
