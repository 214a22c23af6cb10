// Drill 08.01, WRONG: the answer that circulates with two mutexes locked in the constructor, each unlocked by
// the method that hands over the turn, on ANOTHER thread.
//
// Why it looks right: a locked mutex blocks whoever locks it next, so "lock it now, unlock it when first is
// done" reads like a gate; and on Linux it prints the right words and is accepted by online judges.
// Why it is wrong: the constructor's thread owns both mutexes, and first() and second() unlock them on other
// threads. [thread.mutex.requirements.mutex] requires the calling thread to own the mutex it unlocks:
// anything else is undefined behaviour. glibc's default mutex happens not to check the owner; an error-checking
// mutex (PTHREAD_MUTEX_ERRORCHECK), or one with priority inheritance, refuses or corrupts. third() also returns
// with mu2_ still locked, and the Foo is destroyed with both mutexes held: undefined behaviour again.
// A mutex is for mutual exclusion (lock and unlock on one thread, around a critical section), not for
// signalling between threads: that is a semaphore (which any thread may release) or a condition variable.
// Caught: ThreadSanitizer reports "unlock of an unlocked mutex (or by a wrong thread)" in every test where a
// method runs on a thread other than the constructor's; the explorer fails the first schedule of every sim test
// ("T2 unlocks a mutex that T0 holds (undefined behaviour)").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Foo {
 public:
  Foo() {
    mu1_.lock();  // locked by the constructor's thread...
    mu2_.lock();
  }

  void first(std::function<void()> printFirst) {
    printFirst();
    mu1_.unlock();  // BUG: ...and unlocked by first()'s thread, which does not own it (undefined behaviour)
  }

  void second(std::function<void()> printSecond) {
    mu1_.lock();  // blocks until first() "unlocks" it
    printSecond();
    mu2_.unlock();  // BUG: unlocks a mutex the constructor's thread owns
  }

  void third(std::function<void()> printThird) {
    mu2_.lock();
    printThird();  // and returns with mu2_ locked (mu1_ too, by second()'s thread)
  }

 private:
  sync::mutex mu1_;  // "first is not done": locked until first() unlocks it
  sync::mutex mu2_;  // "second is not done"
};

}  // namespace lab
