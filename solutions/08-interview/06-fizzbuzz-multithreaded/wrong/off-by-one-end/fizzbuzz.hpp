// Drill 08.06 fizzbuzz-multithreaded, WRONG (off-by-one-end): improved, with the game over when the counter
// REACHES n instead of when it passes it.
//
// Why it looks right: "count up to n", and `current_ >= n_` reads like "we got to n". Why it is wrong: the
// counter is the next number to SAY, so when it equals n, n has not been said yet; every thread returns and
// the last item is missing. Deterministic: FizzBuzzTest.FifteenIsFizzBuzz, EveryThreadCanSayTheLastNumber and
// EveryNFromOneToFifty fail on every run, ThreeThreadsCountToThree under the explorer. The fix: `current_ > n_`.
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
  explicit FizzBuzz(int n) : n_(n) {}

  void fizz(std::function<void()> printFizz) {
    play([](int i) { return i % 3 == 0 && i % 5 != 0; }, [&](int) { printFizz(); });
  }
  void buzz(std::function<void()> printBuzz) {
    play([](int i) { return i % 5 == 0 && i % 3 != 0; }, [&](int) { printBuzz(); });
  }
  void fizzbuzz(std::function<void()> printFizzBuzz) {
    play([](int i) { return i % 15 == 0; }, [&](int) { printFizzBuzz(); });
  }
  void number(std::function<void(int)> printNumber) {
    play([](int i) { return i % 3 != 0 && i % 5 != 0; }, printNumber);
  }

 private:
  void play(bool (*mine)(int), const std::function<void(int)>& say) {
    sync::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return current_ >= n_ || mine(current_); });  // BUG: n itself is still to say
      if (current_ >= n_) return;  // BUG: the same off-by-one
      say(current_);
      ++current_;
      cv_.notify_all();  // four threads share cv_: whoever owns the next number must wake, and past n all must
    }
  }

  const int n_;
  sync::mutex mu_;
  int current_ = 1;  // guarded by mu_: the next number to say
  sync::condition_variable cv_;
};

}  // namespace lab
