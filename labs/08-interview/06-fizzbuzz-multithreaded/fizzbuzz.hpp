// Drill 08.06: fizzbuzz-multithreaded (LeetCode 1195).   Start it: ./conclab drill 08.06   Check: ./conclab check 08.06
// Lesson: modules/08-interview/03-counting-threads.md. The problem: problem.md beside this file.
//
// Four threads call fizz(), buzz(), fizzbuzz() and number() once each, at the same time. Together they must say
// 1..n in order: "fizz" for multiples of 3 (not of 5), "buzz" for multiples of 5 (not of 3), "fizzbuzz" for
// multiples of 15, the number otherwise, each word through the calling thread's callback. Every call returns
// once the game is over.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex, sync::condition_variable, sync::binary_semaphore... In the sim build they are instrumented so that
// the explorer can try every schedule of your threads.
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class FizzBuzz {
 public:
  explicit FizzBuzz(int n) : n_(n) {}

  // TODO(lab): each method loops: wait until the shared counter is one of ITS numbers or past n; past n, return;
  // else say the word and move the counter on, and wake whoever owns the next number (and, after n, everyone).
  void fizz(std::function<void()> printFizz) { (void)printFizz; }
  void buzz(std::function<void()> printBuzz) { (void)printBuzz; }
  void fizzbuzz(std::function<void()> printFizzBuzz) { (void)printFizzBuzz; }
  void number(std::function<void(int)> printNumber) { (void)printNumber; }

 private:
  const int n_;
  // TODO(lab): the counter (the next number to say, starting at 1) and what guards it: a sync::mutex and a
  // sync::condition_variable, or one sync::binary_semaphore per thread to hand the turn on.
};

}  // namespace lab
