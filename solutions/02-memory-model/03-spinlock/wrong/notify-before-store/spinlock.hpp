// Lab 02.03 spinlock, WRONG (notify-before-store): unlock() wakes a waiter first and frees the lock second.
//
// Why it looks right: "wake them up, then let go" reads naturally, both lines are there, and the woken thread
// will look at the lock anyway. But a notify wakes a waiter to look NOW: it sees the lock still taken (the store
// has not happened yet), goes back to sleep in wait(kLocked), and the store that follows wakes nobody. A lost
// wakeup next to a free lock. The standard says the same: a notify unblocks only a waiter whose value a store
// that happens-before the notify has already replaced ([atomics.wait]). The explorer runs the woken waiter between
// the notify and the store and reports it left asleep (SpinlockTest.ASleepingWaiterIsWokenByUnlock).
// The fix: state_.store(kFree, release) first, then state_.notify_one().
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
    // release: pairs with the acquire exchange in lock() and try_lock(): everything this holder wrote is
    // visible to the next one.
    state_.notify_one();  // BUG: before the store: the woken waiter still sees kLocked and sleeps again
    state_.store(kFree, std::memory_order_release);
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
