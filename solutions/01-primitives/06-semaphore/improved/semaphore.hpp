// improved: the counter under a mutex, and a condition variable that acquire() sleeps on with a predicate.
//
// Changed from naive: every access to count_ holds mu_, so "check that a permit is free" and "take it" are one
// step that no other thread can split; there is no data race and the mutex gives the happens-before promise.
// acquire() sleeps on permit_available_ instead of polling, and re-checks after every wakeup (spurious, or a
// permit another acquirer got to first). release(n) wakes one waiter for one permit, all of them for several
// (each re-checks, and those that find no permit sleep again), and notifies while it still holds mu_: a waiter
// may destroy the semaphore as soon as its acquire() returns (a semaphore on its stack used as a "done" signal),
// and it can only return after taking mu_, so a notify made before the unlock never touches a dead semaphore.
// (Notifying after the unlock saves the woken thread a trip back to sleep on the mutex, but then release()
// touches the condition variable after a waiter may already be gone: lesson 03, "Notify with the lock held".)
//
// This is the reference semaphore of the course: about twenty lines whose correctness you can check by reading
// them, on primitives that have been exercised for decades. The final version only adds a fast path in front.
#pragma once

#include <cstddef>
#include <stdexcept>

#include "conclab/annotated_mutex.hpp"

namespace lab {

// Semaphore: a counter of permits.
//
// Contract:
//   - Semaphore(n) starts with n >= 0 permits (a negative n throws std::invalid_argument).
//   - acquire() takes one permit; while there is none it blocks until a release() gives one back.
//   - try_acquire() takes one permit and returns true if one is available now; otherwise returns false at once.
//   - release(n) gives back n >= 0 permits (negative throws std::invalid_argument), waking up to n acquirers.
//   - Happens-before: everything a thread did before release() is visible to the thread whose acquire() or
//     try_acquire() then takes a permit (both hold mu_).
//   - All methods are thread-safe; available() is a snapshot.
//   - Lifetime: a thread whose acquire() has returned may destroy the semaphore at once, even while the
//     release() that let it through has not returned yet; release() touches nothing after it unlocks mu_.
class Semaphore {
 public:
  explicit Semaphore(std::ptrdiff_t initial) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: the initial count must not be negative");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    permit_available_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return count_ > 0; });  // runs with mu_ held
    --count_;
  }

  bool try_acquire() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }

  void release(std::ptrdiff_t n = 1) CONCLAB_EXCLUDES(mu_) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    conclab::MutexLock lock(mu_);
    count_ += n;
    // Still under mu_: a woken waiter returns only after our unlock, so nothing here runs on a destroyed semaphore.
    if (n == 1) {
      permit_available_.notify_one();  // one permit: one waiter can use it
    } else if (n > 1) {
      permit_available_.notify_all();  // several: wake everyone, the predicate sorts out who gets one
    }
  }

  std::ptrdiff_t available() const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return count_;
  }

 private:
  mutable conclab::Mutex mu_;
  std::ptrdiff_t count_ CONCLAB_GUARDED_BY(mu_);  // free permits, never negative
  conclab::CondVar permit_available_;             // waited on with mu_: "count_ > 0"
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
