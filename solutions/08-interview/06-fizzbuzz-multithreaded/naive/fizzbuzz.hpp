// Drill 08.06 fizzbuzz-multithreaded, NAIVE: each thread spins (with a yield) on a plain shared counter until
// it is one of its numbers, prints, and increments it.
//
// The answer people really write, and why it looks right: only one thread's predicate matches any number, so
// only one thread ever writes the counter at a time; the others only read. The output is right in almost every
// run, and yield() keeps the spin from hogging the core.
//
// Why it is wrong: three threads read the counter while a fourth writes it, with nothing ordering the write
// before the reads. That is a data race, undefined behaviour: the compiler may keep the counter in a register
// (at -O2 the spin can become an infinite loop), and nothing makes the printer's output happen-before the next
// printer's. ThreadSanitizer reports it in every test that runs the four threads; the explorer's plain-memory
// checker on its first schedule. And four threads burn the CPU to print fifty words.
//
// Lesson: modules/08-interview/03-counting-threads.md ("One counter, a predicate per thread").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

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
    while (true) {
      while (current_ <= n_ && !mine(current_)) sync::this_thread::yield();  // BUG: a plain int, read while another thread writes it
      if (current_ > n_) return;
      say(current_);
      ++current_;
    }
  }

  const int n_;
  int current_ = 1;  // shared, guarded by nothing
};

}  // namespace lab
