// Drill 08.06 fizzbuzz-multithreaded, WRONG (fifteen-is-fizz): final's baton, with the owner of a number
// decided by testing 3 first.
//
// Why it looks right: it is the first FizzBuzz everyone writes, in the order the problem lists the words:
// divisible by 3, fizz; by 5, buzz; by 15, fizzbuzz. Why it is wrong: 15 is divisible by 3, so the first test
// takes it and the 15 test is never reached: 15, 30 and 45 are "fizz", and the fizzbuzz thread never gets a
// turn. Deterministic: FizzBuzzTest.FifteenIsFizzBuzz, EveryThreadCanSayTheLastNumber and EveryNFromOneToFifty
// fail on every run. The fix: test 15 first (or make each test exclusive).
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// FizzBuzz(n): four threads call fizz(), buzz(), fizzbuzz() and number() once each, at once. Together they
// print 1..n in order: "fizz" for multiples of 3 only, "buzz" for multiples of 5 only, "fizzbuzz" for multiples
// of 15, the number otherwise; each through its own callback. Every call returns once n has been printed.
class FizzBuzz {
 public:
  explicit FizzBuzz(int n) : n_(n) { turn_[owner(1)].release(); }  // 1 is always the number thread's

  void fizz(std::function<void()> printFizz) { play(kFizz, [&](int) { printFizz(); }); }
  void buzz(std::function<void()> printBuzz) { play(kBuzz, [&](int) { printBuzz(); }); }
  void fizzbuzz(std::function<void()> printFizzBuzz) { play(kFizzBuzz, [&](int) { printFizzBuzz(); }); }
  void number(std::function<void(int)> printNumber) { play(kNumber, printNumber); }

 private:
  enum Player { kFizz, kBuzz, kFizzBuzz, kNumber };

  static int owner(int i) {
    if (i % 3 == 0) return kFizz;  // BUG: 15 is a multiple of 3, so it stops here
    if (i % 5 == 0) return kBuzz;
    if (i % 15 == 0) return kFizzBuzz;  // never reached
    return kNumber;
  }

  void play(int me, const std::function<void(int)>& say) {
    while (true) {
      turn_[me].acquire();  // pairs with the release by the previous speaker (or by the constructor)
      const int i = next_;  // plain: only the baton holder touches it
      if (i > n_) return;   // released by the last speaker: the game is over
      say(i);
      next_ = i + 1;
      if (next_ > n_) {  // the last number: tell the other three it is over, and leave
        for (int p = kFizz; p <= kNumber; ++p) {
          if (p != me) turn_[p].release();
        }
        return;
      }
      turn_[owner(next_)].release();  // hand the baton to the one thread whose turn it is
    }
  }

  const int n_;
  int next_ = 1;  // read and written only by the thread holding the baton
  sync::binary_semaphore turn_[4] = {sync::binary_semaphore(0), sync::binary_semaphore(0),
                                     sync::binary_semaphore(0), sync::binary_semaphore(0)};
};

}  // namespace lab
