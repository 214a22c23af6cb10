// Drill 08.06 fizzbuzz-multithreaded, FINAL: a baton. Each thread has its own semaphore; the thread that says
// number i hands the turn to the owner of i + 1 by releasing exactly that thread's semaphore.
//
// What changed from improved, and why: improved woke all three other threads for every number, and two of them
// went back to sleep. Here nobody wakes for nothing: each number costs one release and one acquire, and only the
// thread whose turn it is runs. The counter needs no mutex: only the thread holding the baton reads or writes
// it, and the release that passes the baton happens-before the acquire that takes it, so each holder sees the
// previous holder's write. When the last number is out, its speaker releases the other three so they see the
// end and return.
//
// What an expert would still do differently in production: nothing, for four threads and fifty numbers; but
// notice what the baton costs: every number is a handoff between threads (a wake-up and a context switch),
// which is why a real program computes FizzBuzz on one thread. The pattern is for ordered stages that must run
// on different threads.
//
// Lesson: modules/08-interview/03-counting-threads.md ("Handing the baton").
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
      if (next_ > n_) {  // the last number: tell the other three it is over, and leave
        for (int p = kFizz; p <= kNumber; ++p) {
          if (p != me) turn_[p].release();
        }
        return;
      }
      turn_[owner(next_)].release();  // hand the baton to the one thread whose turn it is
    }
  }

  const int n_;
  int next_ = 1;  // read and written only by the thread holding the baton
  sync::binary_semaphore turn_[4] = {sync::binary_semaphore(0), sync::binary_semaphore(0),
                                     sync::binary_semaphore(0), sync::binary_semaphore(0)};
};

}  // namespace lab
