// Drill 08.06 fizzbuzz-multithreaded, WRONG (unlocked-loop-check): improved, with the loop's end test on the
// counter done before taking the lock.
//
// Why it looks right: "while there is something left, lock and take my turn"; the test is only a read, and
// reading an int is atomic on x86. Why it is wrong: another thread writes the counter under the mutex while this
// one reads it without: a data race, undefined behaviour, whatever the hardware does with an int. ThreadSanitizer
// reports it on real threads; FizzBuzzTest.ThreeThreadsCountToThree under the explorer's plain-memory checker,
// every run. The fix: every access to the counter under the mutex (the whole loop inside the lock).
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
    while (current_ <= n_) {  // BUG: reads the counter without mu_, while another thread writes it
      sync::unique_lock lock(mu_);
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
