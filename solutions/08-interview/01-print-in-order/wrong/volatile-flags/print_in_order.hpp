// Drill 08.01, WRONG: the naive busy-wait with the flags made `volatile` "so the loop re-reads them".
//
// Why it looks right: volatile stops the compiler from keeping the flag in a register, so the loop does see
// the store (on x86, in practice), and the output comes out right. Why it is wrong: volatile is for memory that
// is not memory (device registers, signal handlers on one thread); it makes nothing atomic and orders nothing
// between threads. A volatile bool written on one thread and read on another is still a data race, undefined
// behaviour, and what printFirst() wrote is not published to printSecond(). (Without the yield, the loop would
// also burn a whole core while it waits: on this 2-core machine, half of it.)
// Caught: ThreadSanitizer reports the race in every test with the methods on two threads; the explorer on the
// first schedule of every sim test.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  void first(std::function<void()> printFirst) {
    printFirst();
    first_done_ = true;  // BUG: volatile is not atomic: a data race with second()'s reads
  }

  void second(std::function<void()> printSecond) {
    while (!first_done_) sync::this_thread::yield();  // BUG: a volatile read racing first()'s write
    printSecond();
    second_done_ = true;
  }

  void third(std::function<void()> printThird) {
    while (!second_done_) sync::this_thread::yield();
    printThird();
  }

 private:
  volatile bool first_done_ = false;
  volatile bool second_done_ = false;
};

}  // namespace lab
