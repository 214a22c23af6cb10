// Drill 08.02: print FooBar alternately (LeetCode 1115's contract).
// Lesson: modules/08-interview/02-taking-turns.md.   Timed: ./conclab drill 08.02   Check: ./conclab check 08.02
//
// One FooBar(n) is shared by two threads: one calls foo(), the other bar(), each once, started in any order.
// foo() calls printFoo() n times, bar() calls printBar() n times. Make the output "foobar" repeated n times:
// foo, bar, foo, bar, ... always starting with foo.
//
//   - 1 <= n <= 1000.
//   - printBar() may run only after the printFoo() of the same round has returned, and the next printFoo()
//     only after that printBar() has returned. A method whose turn has not come blocks until it has.
//   - what a callback wrote happens-before the next callback runs (the tests' page is plain memory).
//   - the FooBar is destroyed only after both calls have returned.
//
// The tests start bar() first, run every schedule of small n under the explorer (spurious wakeups included),
// check n = 1000 on real threads, and build with ThreadSanitizer: a turn flag read and written by two threads
// without synchronisation fails even when the output happens to come out right.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex,
// sync::condition_variable, sync::binary_semaphore, sync::atomic are std's. In the sim build they are
// instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class FooBar {
 public:
  explicit FooBar(int n) : n_(n) {
    // TODO(lab): whose turn it is at the start: foo's.
  }

  void foo(std::function<void()> printFoo) {
    for (int i = 0; i < n_; ++i) {
      // TODO(lab): wait until it is foo's turn (check before you sleep, and again after every wakeup); call
      // printFoo(); then give the turn to bar and wake it.
    }
  }

  void bar(std::function<void()> printBar) {
    for (int i = 0; i < n_; ++i) {
      // TODO(lab): wait until it is bar's turn; call printBar(); then give the turn back to foo and wake it.
    }
  }

 private:
  const int n_;
  // TODO(lab): the turn. A bool guarded by a sync::mutex (declared right above it) with a
  // sync::condition_variable; or two sync::binary_semaphore objects (foo's starts at 1, bar's at 0); or one
  // sync::atomic<int> with wait() and notify_one().
};

}  // namespace lab
