// Drill 08.06 fizzbuzz-multithreaded, IMPROVED: one shared counter under a mutex, and one condition variable
// that every thread waits on with its own predicate.
//
// What changed from naive, and why: naive spun on a plain int, a data race (and four threads burning CPU while
// one works). Here the counter is read and written only under mu_; each thread sleeps until the counter is one
// of ITS numbers or past n (a predicate wait: re-checked after every wakeup, spurious or not), prints, moves
// the counter on and wakes everyone. After the wait the thread looks at the counter again: past n means the
// game is over and it returns, and the thread that moves the counter past n wakes the others so they can see
// it too.
//
// The price: notify_all wakes all three other threads for every number, and two of them go straight back to
// sleep. With four threads that is harmless, and notify_one would be a bug: the one it wakes may not be the
// one whose turn it is. The final version hands the turn to exactly the right thread.
//
// Lesson: modules/08-interview/03-counting-threads.md ("One counter, a predicate per thread").
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
      cv_.notify_all();  // four threads share cv_: whoever owns the next number must wake, and past n all must
    }
  }

  const int n_;
  sync::mutex mu_;
  int current_ = 1;  // guarded by mu_: the next number to say
  sync::condition_variable cv_;
};

}  // namespace lab
