// Drill 08.01 print-in-order, FINAL: two binary semaphores, each a turn handed from one method to the next.
//
// What changed from improved, and why: the step counter, the mutex, the predicate and the notify_all all say
// one thing twice: "second may start once first has finished", "third once second has". A semaphore that starts
// at 0 is exactly that: acquire() blocks until someone release()s, and a release() that comes first is kept (a
// semaphore counts; a condition variable's notify is forgotten), so there is no lost wakeup to reason about and
// no predicate to forget. Each waiter has its own semaphore, so no one is woken for someone else's turn.
// release() happens-before the acquire() it unblocks ([thread.sema.cnt]: release "strongly happens before" the
// acquire that observes its effect), so what printFirst() wrote is visible to printSecond().
//
// Trade-offs: semaphores are C++20; each is one atomic word with a futex underneath in libstdc++, so an uncontended
// handoff takes no lock. The mutex + condition variable version is what to write where there is no C++20, or
// when the condition is more than "the previous one is done". A third answer, one sync::atomic<int> step with
// wait()/notify_all(), is the same as improved without the mutex (the lesson compares them).
//
// What an expert would still do differently in production: nothing here times out. A real pipeline stage waits
// with try_acquire_for (or a condition variable's wait_for) so a step that never comes (its thread threw) is
// reported instead of hanging the process.
//
// Lesson: modules/08-interview/02-taking-turns.md ("Semaphores: a turn you can hand over before anyone waits").
#pragma once

#include <functional>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Foo: prints first, second, third in that order, whatever order the three threads call in.
//   - first(), second(), third() are each called once, from three threads, in any order.
//   - printSecond() starts after printFirst() returned, printThird() after printSecond() returned, and each
//     callback happens-after the previous one (release happens-before the acquire it unblocks).
//   - second() and third() block (they do not spin) until it is their turn.
//   - destroy the Foo only after all three calls have returned.
class Foo {
 public:
  Foo() = default;
  Foo(const Foo&) = delete;
  Foo& operator=(const Foo&) = delete;

  void first(std::function<void()> printFirst) {
    printFirst();
    first_done_.release();  // AFTER the print: the permit says "first has printed"
  }

  void second(std::function<void()> printSecond) {
    first_done_.acquire();  // returns at once if first() already released
    printSecond();
    second_done_.release();
  }

  void third(std::function<void()> printThird) {
    second_done_.acquire();
    printThird();
  }

 private:
  sync::binary_semaphore first_done_{0};   // released once, by first(); acquired once, by second()
  sync::binary_semaphore second_done_{0};  // released once, by second(); acquired once, by third()
};

}  // namespace lab
