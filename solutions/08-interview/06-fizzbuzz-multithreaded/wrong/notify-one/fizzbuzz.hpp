// Drill 08.06 fizzbuzz-multithreaded, WRONG (notify-one): improved, with notify_one after each number.
//
// Why it looks right: exactly one thread owns the next number, so wake one. Why it is wrong: notify_one wakes
// ONE of the waiters on the condition variable, chosen by nobody you control, not the one whose turn it is.
// The wrong one finds its predicate false and goes back to sleep, the right one is never woken, and the game
// stops (and at the end, the threads that are not woken never learn it is over). On real threads it hangs in
// some runs; FizzBuzzTest.ThreeThreadsCountToThree under the explorer, every run (a lost wakeup). The fix:
// notify_all, or one condition variable (or semaphore) per thread.
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
      cv_.notify_one();  // BUG: wakes one waiter, not necessarily the one whose turn it is
    }
  }

  const int n_;
  sync::mutex mu_;
  int current_ = 1;  // guarded by mu_: the next number to say
  sync::condition_variable cv_;
};

}  // namespace lab
