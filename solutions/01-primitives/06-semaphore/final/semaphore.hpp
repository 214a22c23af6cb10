// final: an atomic fast path in front of the mutex+condition-variable semaphore.
//
// Changed from improved: the permits live in one atomic counter that may go NEGATIVE: count_ = free permits
// minus threads that have committed to wait. acquire() is one fetch_sub; if there was a permit (the old value
// was > 0), that is all, no mutex and no system call. Otherwise the thread has registered itself as a waiter
// by that same fetch_sub, and sleeps on the mutex+condition variable until a release() hands it a wakeup.
// release() is one fetch_add; only if the old value was negative (someone registered to wait) does it take the
// mutex, record that many wakeups in wakeups_, and notify, still holding the mutex. Uncontended acquire/release
// cost two atomic RMWs instead of two mutex round trips (measure: `conclab bench 01.06`).
//
// Why notify under the mutex: a semaphore is often a one-shot "done" signal that lives on the waiter's stack,
// and the waiter destroys it as soon as acquire() returns. A woken waiter returns only after it has taken mu_
// and seen wakeups_ > 0; with the notify before the unlock, release() touches nothing of the semaphore after
// that. With `{ lock; wakeups_ += n; } notify;` (an earlier version of this file) the waiter could wake
// (spuriously, or by another release), see the wakeup, return and destroy the semaphore between the unlock and
// the notify, which then ran on a destroyed condition variable. ThreadSanitizer reports that in the test
// SemaphoreTest.ASemaphoreOnTheWaitersStackCanSignalCompletion (every run for wrong/notify-after-unlock,
// most runs for that earlier version, whose fast path skips the notify when nobody waits). The cost: a woken
// waiter may find mu_ still held and sleep on it once more ("hurry up and wait"), on the slow path only.
//
// Why no lost wakeup: a waiter registers in count_ BEFORE it sleeps, so a release() that comes after can always
// see it; and the hand-over is a count (wakeups_) under the mutex, not a one-shot signal, so a release() that
// runs before the waiter reaches the condition variable still leaves the wakeup there for it to find.
// (Contrast libstdc++ 12's std::counting_semaphore, whose waiters do not register in the counter: a release
// that finds the count already positive skips the notify. See the lesson, and GCC PRs 98033 and 104928.)
//
// Why not std::counting_semaphore itself: it is the obvious choice in principle, and has the same fast path.
// But lost-wakeup bugs have been reported against the futex-based implementation that libstdc++ 12 (the
// standard library this course targets) ships: GCC PR 104928 and PR 98033, described in lesson 06. A semaphore
// that very rarely sleeps forever is worse than a slower one. The mutex+CV semaphore (improved) stays the
// reference: this file changes only the uncontended path in front of it, and the tests run both.
//
// What an expert would still do differently in production:
//   - Use the platform's tested primitive where it is known good (std::counting_semaphore on a fixed standard
//     library, or a futex-based semaphore from a well-reviewed library) rather than maintaining this one.
//   - Spin briefly before sleeping when critical sections are very short, and choose a fairness policy on
//     purpose: here woken waiters are not FIFO (the condition variable picks), although no newcomer can take a
//     permit ahead of a registered waiter.
//   - Add try_acquire_for / try_acquire_until (a waiter that gives up must take its registration back out of
//     count_, which is the subtle part), and check release() against a maximum count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "conclab/annotated_mutex.hpp"
#include "conclab/sync.hpp"

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// Semaphore: a counter of permits.
//
// Contract:
//   - Semaphore(n) starts with n >= 0 permits (a negative n throws std::invalid_argument).
//   - acquire() takes one permit; while there is none it blocks until a release() gives one back.
//   - try_acquire() takes one permit and returns true if one is available now; otherwise returns false at once.
//   - release(n) gives back n >= 0 permits (negative throws std::invalid_argument), waking up to n acquirers.
//   - Happens-before: everything a thread did before release() is visible to the thread whose acquire() or
//     try_acquire() then takes a permit (release/acquire on count_; through mu_ on the slow path).
//   - All methods are thread-safe; available() is a snapshot.
//   - Lifetime: a thread whose acquire() has returned may destroy the semaphore at once, even while the
//     release() that let it through has not returned yet; release() touches nothing after it unlocks mu_
//     (after its fetch_add, on the fast path).
class Semaphore {
 public:
  explicit Semaphore(std::ptrdiff_t initial) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: the initial count must not be negative");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() CONCLAB_EXCLUDES(mu_) {
    // acquire: pairs with the release fetch_add in release() (and continues its release sequence).
    if (count_.fetch_sub(1, std::memory_order_acquire) > 0) return;  // fast path: a permit was free
    // Slow path: we are now counted as a waiter in count_. Wait for a release() to hand us a wakeup.
    conclab::MutexLock lock(mu_);
    woken_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return wakeups_ > 0; });  // runs with mu_ held
    --wakeups_;
  }

  bool try_acquire() CONCLAB_EXCLUDES(mu_) {
    // relaxed: only a first guess; the compare-exchange below re-reads the real value if it is stale.
    std::ptrdiff_t current = count_.load(std::memory_order_relaxed);
    while (current > 0) {
      // acquire on success: pairs with the release fetch_add in release(). Never takes count_ below zero,
      // so try_acquire() never registers as a waiter.
      if (count_.compare_exchange_weak(current, current - 1, std::memory_order_acquire, std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;  // no free permit (zero, or waiters already queued for the next ones)
  }

  void release(std::ptrdiff_t n = 1) CONCLAB_EXCLUDES(mu_) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    if (n == 0) return;
    // release: publishes what this thread did before release(); pairs with the acquire RMWs above.
    const std::ptrdiff_t before = count_.fetch_add(n, std::memory_order_release);
    if (before >= 0) return;  // nobody had registered to wait: the permits are simply free now
    const std::ptrdiff_t to_wake = std::min(n, -before);
    conclab::MutexLock lock(mu_);
    wakeups_ += to_wake;
    // Notify before the unlock: once mu_ is free, a woken waiter may return and destroy the semaphore.
    if (to_wake == 1) {
      woken_.notify_one();
    } else {
      woken_.notify_all();  // the predicate lets exactly `to_wake` of them through
    }
  }

  std::ptrdiff_t available() const {
    return std::max<std::ptrdiff_t>(count_.load(std::memory_order_relaxed), 0);  // relaxed: a snapshot
  }

 private:
  // Free permits minus registered waiters. Negative: -count_ threads are asleep or on their way to sleep.
  sync::atomic<std::ptrdiff_t> count_;

  conclab::Mutex mu_;
  std::ptrdiff_t wakeups_ CONCLAB_GUARDED_BY(mu_) = 0;  // permits handed to registered waiters, not yet taken
  conclab::CondVar woken_;                              // waited on with mu_: "wakeups_ > 0"
};

// Permit: holds one permit of a Semaphore for its lifetime (acquire() in the constructor, release() in the
// destructor), so the permit goes back on every path out of the scope, exceptions included.
class Permit {
 public:
  explicit Permit(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  ~Permit() { semaphore_.release(); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  Semaphore& semaphore_;
};

}  // namespace lab
