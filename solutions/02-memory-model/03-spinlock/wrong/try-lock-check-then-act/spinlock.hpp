// Lab 02.03 spinlock, WRONG (try-lock-check-then-act): lock() is the final version's, but try_lock() looks, then
// takes: `if (state_.load(acquire) != kFree) return false; state_.store(kLocked); return true;`.
//
// Why it looks right: try_lock() "never waits", checks that the lock is free before taking it, and every single-
// thread test passes (and most stress runs: the window is nanoseconds). Why it is wrong: between the load and the
// store another thread can take the lock, with lock() or with its own try_lock(): both return "mine" and both are
// inside. The explorer runs the two try_lock()s' loads before either store (SpinlockTest.TwoTryLocksNeverBothWin:
// the two `++count` race). The fix: the look may stay (it saves a write on a held lock), but the taking must be
// an exchange that says whether it was free.
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
    // acquire: pairs with the release store in unlock().
    if (state_.load(std::memory_order_acquire) != kFree) return false;
    state_.store(kLocked, std::memory_order_relaxed);  // BUG: someone may have taken it since the load
    return true;
  }

  void unlock() noexcept {
    // release: pairs with the acquire exchange in lock() and try_lock(): everything this holder wrote is
    // visible to the next one.
    state_.store(kFree, std::memory_order_release);
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
