// Drill 08.06 fizzbuzz-multithreaded, WRONG (end-not-passed-on): final's baton, but the thread that says the
// last number simply returns.
//
// Why it looks right: the baton goes to the owner of the next number, and after n there is no next number, so
// there is nobody to hand it to. Why it is wrong: the three other threads are blocked in acquire() on their own
// semaphores, waiting for a baton, and one that never comes: they need to be released once more to see that the
// game is over. Deterministic: FizzBuzzTest.FifteenIsFizzBuzz, EveryThreadCanSayTheLastNumber and
// EveryNFromOneToFifty fail on every run (the watchdog), ThreeThreadsCountToThree under the explorer. The fix:
// after the last number, release every other thread's semaphore.
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
    if (i % 15 == 0) return kFizzBuzz;  // test 15 first: it is a multiple of 3 and of 5 too
    if (i % 3 == 0) return kFizz;
    if (i % 5 == 0) return kBuzz;
    return kNumber;
  }

  void play(int me, const std::function<void(int)>& say) {
    while (true) {
      turn_[me].acquire();  // pairs with the release by the previous speaker (or by the constructor)
      const int i = next_;  // plain: only the baton holder touches it
      if (i > n_) return;   // released by the last speaker: the game is over
      say(i);
      next_ = i + 1;
      if (next_ > n_) return;  // BUG: the other three wait for a baton that never comes
      turn_[owner(next_)].release();  // hand the baton to the one thread whose turn it is
    }
  }

  const int n_;
  int next_ = 1;  // read and written only by the thread holding the baton
  sync::binary_semaphore turn_[4] = {sync::binary_semaphore(0), sync::binary_semaphore(0),
                                     sync::binary_semaphore(0), sync::binary_semaphore(0)};
};

}  // namespace lab
