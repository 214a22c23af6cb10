// Drill 08.02 foobar-alternately, NAIVE: a plain bool says whose turn it is; each side spins (yielding) until
// it is its own.
//
// The first answer most people write, and why it looks right: one flag, two loops, each waits for its value,
// prints, flips it. It alternates perfectly on x86 at -O0, and the yield keeps it from hogging the core.
// Why it is wrong: foo_turn_ is read and written by both threads with nothing ordering the accesses: a data race,
// undefined behaviour ([intro.races]). The compiler may read it once and spin forever, and nothing publishes
// what printFoo() wrote to the thread that runs printBar(). It also burns CPU for every round it waits, a cost
// that grows with n. ThreadSanitizer reports the race in every test with two threads; the explorer on the first
// schedule of every sim test.
//
// Lesson: modules/08-interview/02-taking-turns.md ("The busy-wait").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// FooBar: foo() and bar(), each called once from its own thread, print foo, bar, foo, bar... n times each.
// NOT thread-safe: the turn is a plain bool shared by two threads (that is the point of this version).
class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {}
  FooBar(const FooBar&) = delete;
  FooBar& operator=(const FooBar&) = delete;

  void foo(std::function<void()> printFoo) {
    for (int i = 0; i < n_; ++i) {
      while (!foo_turn_) sync::this_thread::yield();  // BUG: a plain read racing bar()'s write
      printFoo();
      foo_turn_ = false;  // BUG: a plain write racing bar()'s reads
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      while (foo_turn_) sync::this_thread::yield();
      printBar();
      foo_turn_ = true;
    }
  }

 private:
  const int n_;
  bool foo_turn_ = true;  // plain: read and written by both threads (a data race)
};

}  // namespace lab
