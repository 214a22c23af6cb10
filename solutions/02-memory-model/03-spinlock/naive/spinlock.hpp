// Lab 02.03 spinlock, NAIVE: a plain bool, "wait while it is taken, then take it".
//
// The mistake people really make, and why it looks right: `while (locked_) {} locked_ = true;` reads like the
// definition of a lock: wait until nobody holds it, then hold it. With one thread it works, and a quick test with
// two threads usually passes too. `volatile` is there because the loop hung at -O2 without it (the compiler read
// locked_ once and spun on a register), and with it the loop does re-read memory. It is still wrong twice over:
//   - check-then-act: the check (`locked_` is false) and the act (`locked_ = true`) are two steps. Two threads can
//     both see false, both set true, and both walk into the critical section. A lock must test and set in ONE
//     indivisible step (an atomic exchange);
//   - a data race: locked_ is a non-atomic bool written by one thread and read by another with nothing ordering
//     them. That is undefined behaviour, not just a wrong answer. volatile only stops the compiler from caching or
//     dropping the accesses; it makes nothing atomic and orders nothing between threads, so nothing makes the
//     holder's writes (the data the lock protects) visible to the next holder. ThreadSanitizer reports the race;
//     the explorer reports it on its first schedule, with both lines.
//
// Lesson: modules/02-memory-model/03-memory-orders.md ("A lock is a test-and-set").
#pragma once

namespace lab {

// NOT a lock: two threads can both get through lock() (that is the point of this version).
class Spinlock {
 public:
  void lock() noexcept {
    while (locked_) {
    }                // wait until it looks free...
    locked_ = true;  // ...then take it: another thread may have taken it in between
  }

  bool try_lock() noexcept {
    if (locked_) return false;
    locked_ = true;  // the same check-then-act
    return true;
  }

  void unlock() noexcept { locked_ = false; }

 private:
  volatile bool locked_ = false;  // shared by every thread, guarded by nothing: volatile is not atomic
};

}  // namespace lab
