// Drill 08.06 fizzbuzz-multithreaded, WRONG (returns-without-notify): improved, but the thread that says the
// last number returns at once, without waking the others.
//
// Why it looks right: "there is nothing left to say, so nobody needs waking". Why it is wrong: the other three
// threads are asleep in wait(), and only a notify lets them see that the game is over: they sleep forever and
// their calls never return. Deterministic for n = 15, where all three are asleep when the last word is said:
// FizzBuzzTest.FifteenIsFizzBuzz, EveryThreadCanSayTheLastNumber and EveryNFromOneToFifty fail on every run (the
// watchdog), ThreeThreadsCountToThree under the explorer (a lost wakeup). The fix: notify_all, always.
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
      cv_.wait(lock, [&] { return current_ > n_ || mine(current_); });
      if (current_ > n_) return;  // the last number is out: the game is over
      say(current_);
      ++current_;
      if (current_ > n_) return;  // BUG: the others are asleep and nobody will tell them the game is over
      cv_.notify_all();  // four threads share cv_: whoever owns the next number must wake, and past n all must
    }
  }

  const int n_;
  sync::mutex mu_;
  int current_ = 1;  // guarded by mu_: the next number to say
  sync::condition_variable cv_;
};

}  // namespace lab
