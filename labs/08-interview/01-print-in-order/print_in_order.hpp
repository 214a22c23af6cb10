// Drill 08.01: print in order (LeetCode 1114's contract).
// Lesson: modules/08-interview/02-taking-turns.md.   Timed: ./conclab drill 08.01   Check: ./conclab check 08.01
//
// One Foo is shared by three threads. One thread calls first(), one second(), one third(): each exactly once,
// started in any order. Make the three print callbacks run in the order printFirst, printSecond, printThird,
// whatever order the threads arrive in.
//
//   - second() must not call printSecond() until printFirst() has returned; third() must not call
//     printThird() until printSecond() has returned. A method that is called early waits (blocks).
//   - what a callback wrote happens-before the next callback runs: the tests' "page" is a plain variable
//     that each callback writes, as a judge's output buffer would be.
//   - the Foo is destroyed only after all three calls have returned.
//
// The tests start the thread that must wait first, run every schedule of two or three threads under the
// explorer (spurious wakeups included), and build with ThreadSanitizer: a flag read and written by two threads
// without synchronisation fails even when the output happens to come out right.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex
// is std::mutex, sync::condition_variable, sync::binary_semaphore, sync::atomic are std's. In the sim build they
// are instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  Foo() {
    // TODO(lab): set up the state that says how far the printing has got (nothing printed yet).
  }

  void first(std::function<void()> printFirst) {
    // TODO(lab): call printFirst(); then record that first is done, and wake whoever waits for it.
  }

  void second(std::function<void()> printSecond) {
    // TODO(lab): wait until first is done (check before you sleep: it may be done already; and again after
    // every wakeup); call printSecond(); then record that second is done, and wake whoever waits for it.
  }

  void third(std::function<void()> printThird) {
    // TODO(lab): wait until second is done; then call printThird().
  }

 private:
  // TODO(lab): the state. A step counter guarded by a sync::mutex (declared right above it) with a
  // sync::condition_variable; or two sync::binary_semaphore objects that start at 0; or one sync::atomic<int>
  // with wait() and notify_all().
};

}  // namespace lab
