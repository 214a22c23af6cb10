// Lab 02.03 spinlock, FINAL: test-and-test-and-set with acquire/release, exponential backoff with a pause
// instruction, and a sleep in C++20 atomic::wait when spinning has not paid off.
//
// What changed from improved, and why:
//   - the orders: the exchange that takes the lock is acquire and the store that frees it is release. That is
//     all a lock needs: the release store in unlock() is read by the acquire exchange of the next lock(), so each
//     critical section happens-before the next (lesson: "What a lock needs"). seq_cst adds a single total order
//     over all seq_cst operations, which a lock does not use; on x86 it turned unlock()'s plain `mov` into an
//     `xchg` (the lesson shows both in the compiler's output);
//   - test-and-test-and-set: a waiter spins on a plain load, not on the exchange. A load only needs a shared copy
//     of the cache line, so waiters spin in their own caches without writing, and the line moves only when
//     unlock() writes it. The exchange is tried again only when the load says the lock looks free;
//   - backoff: between loads, a waiter pauses (x86 `pause`: tells the core this is a spin loop, saves power and
//     the pipeline flush at the loop's exit), twice as long after each look, up to a cap, so that many waiters
//     do not all rush for the line the moment it is freed;
//   - sleeping: after kSpinLimit looks the holder is probably not running (more threads than cores, or a long
//     critical section), so spinning only burns the time slice it needs. The waiter sleeps in
//     state_.wait(kLocked) (a futex on Linux) and unlock() wakes one sleeper with notify_one().
//     state_ is an int, not a bool: libstdc++ waits on a 4-byte atomic directly (a futex on its own address)
//     but on a bool through a shared proxy counter, which makes every notify a locked add (lesson).
//
// What an expert would still do differently in production: not call notify_one() on every unlock. This one is
// cheap when nobody sleeps (libstdc++ checks a waiter count first, one load), but a lock that tracks "maybe
// someone sleeps" in its own state (0 free, 1 held, 2 held with sleepers: Drepper, "Futexes Are Tricky") skips
// even that, and wakes only when unlock() sees 2. And mostly: use std::mutex (glibc's: a compare-exchange,
// then a futex). A hand-made spinlock wins only for very short critical sections on
// threads that are not preempted (`./conclab bench 02.03`: with more threads than cores, std::mutex wins).
//
// Lesson: modules/02-memory-model/03-memory-orders.md.
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
