// Drill 08.06 fizzbuzz-multithreaded, WRONG (if-not-while): improved, with `if (not my turn) wait;` instead of
// a loop.
//
// Why it looks right: a thread sleeps when it is not its turn and is woken when the counter moves. Why it is
// wrong: notify_all wakes all three waiters when the counter moves, and only one of them owns the new number;
// the others, with an `if`, do not look again and say their word out of turn (a spurious wakeup does the same).
// On real threads the output is wrong in most runs; FizzBuzzTest.ThreeThreadsCountToThree under the explorer,
// every run. The fix: the predicate form of wait(), or `while`.
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
      if (!(current_ > n_ || mine(current_))) cv_.wait(lock);  // BUG: not checked again after the wakeup
      if (current_ > n_) return;  // the last number is out: the game is over
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
