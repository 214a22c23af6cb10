// Lab 02.03 spinlock, WRONG (relaxed-unlock): the final version, but unlock() frees the lock with a relaxed store.
//
// Why it looks right: "freeing is just writing 0, nobody reads anything else from it", and on x86 a relaxed store
// and a release store are the same `mov`: every test on this machine passes. Why it is wrong: the release store
// is what hands the critical section over. The next lock()'s acquire exchange synchronizes only with a release
// (or seq_cst) store; with a relaxed one, the holder's writes inside the lock are not ordered before the next
// holder's reads: the compiler may sink a store of the protected data below the relaxed store, and ARM or POWER
// may make them visible in either order. The explorer reports the two `++count` as a data race
// (SpinlockTest.TwoHoldersNeverOverlap, ASleepingWaiterIsWokenByUnlock) and shows the next holder reading the
// old payload (SpinlockTest.TheNextHolderSeesWhatTheLastOneWrote). The fix: release (pairs with lock()'s acquire).
#pragma once

#include <algorithm>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Spinlock: a non-recursive mutual-exclusion lock (Lockable: usable with std::lock_guard, std::scoped_lock).
// At most one thread holds it between a lock() (or a try_lock() that returned true) and its unlock().
// Happens-before: everything a holder did before unlock() happens-before everything the next holder does
// after its lock() or successful try_lock(). try_lock() never blocks: it returns false when the lock is held.
// unlock() only by the holder. lock() spins a little, then sleeps until an unlock() wakes it.
class Spinlock {
 public:
  void lock() noexcept {
    for (;;) {
      // acquire: pairs with the release store in unlock(): what the last holder wrote is visible from here on.
      if (state_.exchange(kLocked, std::memory_order_acquire) == kFree) return;
      if (!spin_until_it_looks_free()) {
        // relaxed: pairs with nothing; wait() only tells when to try again, and the acquire exchange above
        // is what orders this thread after the holder. Returns at once if state_ is no longer kLocked.
        state_.wait(kLocked, std::memory_order_relaxed);
      }
    }
  }

  bool try_lock() noexcept {
    // relaxed: pairs with nothing: a look before the exchange, so a try_lock() on a held lock does not write
    // (and steal the cache line from the holder). It orders nothing: the exchange below does.
    if (state_.load(std::memory_order_relaxed) != kFree) return false;
    // acquire: pairs with the release store in unlock(), as in lock().
    return state_.exchange(kLocked, std::memory_order_acquire) == kFree;
  }

  void unlock() noexcept {
    state_.store(kFree, std::memory_order_relaxed);  // BUG: relaxed: the next holder is not ordered after us
    state_.notify_one();  // a waiter may sleep in lock()'s wait(kLocked): wake one
  }

 private:
  static constexpr int kFree = 0;
  static constexpr int kLocked = 1;
  static constexpr int kSpinLimit = 64;  // looks at the lock before sleeping
  static constexpr int kMaxPause = 64;   // pause instructions between two looks, at most

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  // Spins with read-only loads until the lock looks free (true), or kSpinLimit looks (false).
  bool spin_until_it_looks_free() const noexcept {
    int pauses = 1;
    for (int look = 0; look < kSpinLimit; ++look) {
      // relaxed: pairs with nothing: only a hint that the exchange in lock() may now succeed; that exchange
      // (acquire) is what orders this thread after the holder.
      if (state_.load(std::memory_order_relaxed) == kFree) return true;
      for (int i = 0; i < pauses; ++i) pause();
      pauses = std::min(pauses * 2, kMaxPause);
    }
    return false;
  }

  sync::atomic<int> state_{kFree};
  static_assert(sync::atomic<int>::is_always_lock_free, "a spinlock built on a lock would be absurd");
};

}  // namespace lab
