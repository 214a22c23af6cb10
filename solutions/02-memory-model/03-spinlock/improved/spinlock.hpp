// Lab 02.03 spinlock, IMPROVED: test-and-set. lock() is one atomic exchange, repeated until it returns false.
//
// What changed from naive, and why: the check and the act are now ONE indivisible read-modify-write.
// `locked_.exchange(true)` writes true and returns what was there before, as one step: if it returns false,
// this thread is the one that changed false to true, and every other thread's exchange returns true. Two
// threads can no longer both get in. And because locked_ is an atomic, there is no data race: the release half
// of unlock()'s store and the acquire half of the next lock()'s exchange order each critical section before
// the next, so the data the lock protects is handed over with it.
//
// Every operation is seq_cst (the default): correct, and the simplest thing to reason about. The price is in
// the spinning. Each failed exchange is a write: the waiting core must own locked_'s cache line exclusively to
// do it, so two waiters steal the line from each other, and from the holder, whose unlock() then has to steal
// it back. And a waiter spins at full speed even when the holder has been descheduled (more threads than
// cores), burning the time slice the holder needs. `./conclab bench 02.03` shows both; the final version fixes
// them: read-only spinning (test-and-test-and-set), backoff, and sleeping in atomic::wait.
//
// This is the lab's "TAS with seq_cst" from the curriculum. It is the improved version, not the naive one,
// because it is correct: the naive version must be the lock people write first, and that one is broken.
//
// Lesson: modules/02-memory-model/03-memory-orders.md ("A lock is a test-and-set").
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Spinlock: a non-recursive mutual-exclusion lock (Lockable: usable with std::lock_guard, std::scoped_lock).
// At most one thread holds it between a lock() (or a try_lock() that returned true) and its unlock().
// Happens-before: everything a holder did before unlock() happens-before everything the next holder does
// after its lock() or successful try_lock(). try_lock() never blocks: it returns false when the lock is held.
// unlock() only by the holder. lock() spins: hold it for a few instructions, never across a blocking call.
class Spinlock {
 public:
  void lock() noexcept {
    while (locked_.exchange(true)) {  // seq_cst: true means someone else holds it
      while (locked_.load()) {          // seq_cst: wait, reading only, until it looks free; then try again
      }
    }
  }

  bool try_lock() noexcept { return !locked_.exchange(true); }  // seq_cst: one attempt, never waits

  void unlock() noexcept { locked_.store(false); }  // seq_cst

 private:
  sync::atomic<bool> locked_{false};
};

}  // namespace lab
