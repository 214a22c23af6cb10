// Lab 02.03 spinlock, WRONG (try-lock-returns-old-value): try_lock() is `return locked_.exchange(true);`.
//
// Why it looks right: the exchange is the right operation, one indivisible test-and-set, and "return what the
// exchange says" reads naturally. Why it is wrong: exchange() returns the value BEFORE it wrote, so true means the
// lock was already held (this attempt failed) and false means it was free (and is now held by this thread). The
// result is upside down: a free lock is taken but the caller is told "no" (and never unlocks it), a held lock is
// reported as "yours". The single-thread and two-thread tests fail on every run
// (SpinlockTest.TryLockTakesAFreeLockAndRefusesAHeldOne, TryLockFailsWhileAnotherThreadHoldsIt), and
// std::scoped_lock of two locks waits forever for the lock its failed try_lock() took
// (SpinlockTest.WorksWithLockGuardAndScopedLock). The fix: `return !locked_.exchange(true, acquire);`.
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

  // BUG: exchange() returns the OLD value: true means "it was already held", i.e. this attempt FAILED.
  bool try_lock() noexcept { return locked_.exchange(true); }

  void unlock() noexcept { locked_.store(false); }  // seq_cst

 private:
  sync::atomic<bool> locked_{false};
};

}  // namespace lab
