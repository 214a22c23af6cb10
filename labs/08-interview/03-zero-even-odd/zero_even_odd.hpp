// Drill 08.03: print zero even odd (LeetCode 1116's contract).
// Lesson: modules/08-interview/02-taking-turns.md.   Timed: ./conclab drill 08.03   Check: ./conclab check 08.03
//
// One ZeroEvenOdd(n) is shared by three threads: one calls zero(), one even(), one odd(), each once, started in
// any order. Together they must print 0 1 0 2 0 3 ... 0 n (2n numbers): zero() prints the n zeros, odd() the
// odd numbers 1, 3, 5..., even() the even numbers 2, 4, 6..., each through printNumber(x).
//
//   - 1 <= n <= 1000.
//   - each printNumber() call starts after the previous one in that sequence has returned; a method whose turn
//     has not come blocks until it has. After a zero, the next number goes to odd() or even() by its parity.
//   - what a callback wrote happens-before the next callback runs (the tests' page is plain memory).
//   - the ZeroEvenOdd is destroyed only after all three calls have returned.
//
// The tests start even() and odd() first, run every schedule of small n under the explorer (spurious wakeups
// included), check n = 1000 on real threads, and build with ThreadSanitizer.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex,
// sync::condition_variable, sync::binary_semaphore, sync::atomic are std's. In the sim build they are
// instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class ZeroEvenOdd {
 public:
  explicit ZeroEvenOdd(int n) : n_(n) {
    // TODO(lab): at the start it is zero's turn, and the next number is 1.
  }

  void zero(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; ++i) {
      // TODO(lab): wait for zero's turn; printNumber(0); then give the turn to odd() if i is odd, to even() if
      // it is even, and wake it.
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      // TODO(lab): wait for even's turn; printNumber(i); give the turn back to zero() and wake it.
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      // TODO(lab): wait for odd's turn; printNumber(i); give the turn back to zero() and wake it.
    }
  }

 private:
  const int n_;
  // TODO(lab): whose turn it is. A state guarded by a sync::mutex (declared right above it) with a
  // sync::condition_variable (three roles wait on it: wake them all); or three sync::binary_semaphore objects,
  // zero's starting at 1.
};

}  // namespace lab
