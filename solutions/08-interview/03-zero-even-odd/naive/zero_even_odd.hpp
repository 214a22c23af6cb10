// Drill 08.03 zero-even-odd, NAIVE: a plain int says whose turn it is; each of the three spins (yielding) until
// it is its own.
//
// The first answer most people write, and why it looks right: turn_ is 0 for zero, 1 for odd, 2 for even; each
// method waits for its value, prints, and sets the next one. The logic is right, and on x86 at -O0 it prints the
// right sequence every time.
// Why it is wrong: turn_ is read and written by three threads with nothing ordering the accesses: a data race,
// undefined behaviour ([intro.races]); the compiler may read it once and spin forever, and nothing publishes what
// one print wrote to the next. Two spinning threads burn CPU while the third works. ThreadSanitizer reports the
// race in the tests with threads; the explorer on the first schedule of every sim test.
//
// Lesson: modules/08-interview/02-taking-turns.md ("The busy-wait").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// ZeroEvenOdd: zero(), even(), odd(), each called once from its own thread, print 0 1 0 2 ... 0 n.
// NOT thread-safe: the turn is a plain int shared by three threads (that is the point of this version).
class ZeroEvenOdd {
 public:
  explicit ZeroEvenOdd(int n) : n_(n) {}
  ZeroEvenOdd(const ZeroEvenOdd&) = delete;
  ZeroEvenOdd& operator=(const ZeroEvenOdd&) = delete;

  void zero(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; ++i) {
      while (turn_ != kZero) sync::this_thread::yield();  // BUG: a plain read racing the others' writes
      printNumber(0);
      turn_ = (i % 2 == 1) ? kOdd : kEven;  // BUG: a plain write
    }
  }

  void even(std::function<void(int)> printNumber) {
    for (int i = 2; i <= n_; i += 2) {
      while (turn_ != kEven) sync::this_thread::yield();
      printNumber(i);
      turn_ = kZero;
    }
  }

  void odd(std::function<void(int)> printNumber) {
    for (int i = 1; i <= n_; i += 2) {
      while (turn_ != kOdd) sync::this_thread::yield();
      printNumber(i);
      turn_ = kZero;
    }
  }

 private:
  static constexpr int kZero = 0;
  static constexpr int kOdd = 1;
  static constexpr int kEven = 2;
  const int n_;
  int turn_ = kZero;  // plain: read and written by three threads (a data race)
};

}  // namespace lab
