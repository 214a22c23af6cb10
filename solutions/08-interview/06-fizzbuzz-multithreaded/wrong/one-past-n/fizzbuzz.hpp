// Drill 08.06 fizzbuzz-multithreaded, WRONG (one-past-n): improved, but the end is checked only at the top of
// the loop, before the wait, and not again after it.
//
// Why it looks right: `while (current_ <= n_)` guards the loop, and the wait's predicate wakes everyone at the
// end. Why it is wrong: the threads that were asleep when the last number was said wake (their predicate says
// "past n") and carry on into say() without looking again: each says one more item, for n + 1. Deterministic
// for n = 15, where all three other threads are asleep when fizzbuzz says the last word: FizzBuzzTest.
// FifteenIsFizzBuzz, EveryThreadCanSayTheLastNumber and EveryNFromOneToFifty fail on every run. The fix: after
// the wait, `if (current_ > n_) return;`.
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
    while (current_ <= n_) {
      cv_.wait(lock, [&] { return current_ > n_ || mine(current_); });
      // BUG: woken because the counter passed n, but not checked again: says one item too many
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
