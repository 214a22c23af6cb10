// Drill 08.01 print-in-order, NAIVE: two plain bools, and a spin that yields until the previous one is set.
//
// The first answer most people write, and why it looks right: first() prints and raises a flag; second() loops
// until it sees the flag, prints, raises its own; third() loops on that one. It reads like the problem statement,
// it yields so it does not burn a core, and on x86 at -O0 the output is right in every run you try.
//
// Why it is wrong: first_done_ is written by one thread and read by another with nothing between them that
// synchronises: a data race, so the program has undefined behaviour ([intro.races]). The compiler may keep the
// flag in a register and spin forever (at -O2 it may delete the re-load), and even when the flag is re-read,
// nothing makes what printFirst() wrote visible to the thread that goes on to printSecond(). ThreadSanitizer
// reports the race in every test where two of the methods run on two threads; the explorer reports it on the
// first schedule of every sim test, naming the write in first() and the read in second().
//
// Lesson: modules/08-interview/02-taking-turns.md ("The busy-wait").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Foo: three methods, each called once by its own thread; prints first, second, third in that order.
// NOT thread-safe: the flags are plain bools shared by three threads (that is the point of this version).
class Foo {
 public:
  Foo() = default;
  Foo(const Foo&) = delete;
  Foo& operator=(const Foo&) = delete;

  void first(std::function<void()> printFirst) {
    printFirst();
    first_done_ = true;  // BUG: a plain write that second() reads on another thread: a data race
  }

  void second(std::function<void()> printSecond) {
    while (!first_done_) sync::this_thread::yield();  // BUG: a plain read racing first()'s write
    printSecond();
    second_done_ = true;
  }

  void third(std::function<void()> printThird) {
    while (!second_done_) sync::this_thread::yield();
    printThird();
  }

 private:
  bool first_done_ = false;   // plain: written by first(), read by second() (a data race)
  bool second_done_ = false;  // plain: written by second(), read by third() (a data race)
};

}  // namespace lab
