// Lab 01.06 semaphore, WRONG (notify-after-unlock): release() changes the count under the mutex, unlocks, then
// notifies (the shape lesson 03 calls (b), and a common speed-up: the woken thread finds the mutex free).
//
// Why it looks right: the count changes under the lock, so no wakeup is lost, and a predicate wait copes with
// the extra wakeups. Every test of one semaphore that outlives its threads passes, and the explorer finds
// nothing: it sees only the order of the operations, not that an object is gone. Why it is wrong: between the
// unlock and the notify, the waiter can wake (spuriously, or by another release), see the permit, return from
// acquire() and destroy the semaphore: a semaphore on its stack used as a one-shot "done" signal. The notify
// then runs on a destroyed condition variable (undefined behaviour: a crash or a hang, very rarely).
// ThreadSanitizer reports it on every run of SemaphoreTest.ASemaphoreOnTheWaitersStackCanSignalCompletion:
// the destruction and the notify are not ordered by anything. The fix: notify before the lock_guard ends.
#pragma once

#include <cstddef>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Semaphore {
 public:
  explicit Semaphore(std::ptrdiff_t initial) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: the initial count must not be negative");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return count_ > 0; });
    --count_;
  }

  bool try_acquire() {
    sync::lock_guard lock(mu_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }

  void release(std::ptrdiff_t n = 1) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    {
      sync::lock_guard lock(mu_);
      count_ += n;
    }
    // BUG: the semaphore may be destroyed by now, by the waiter this release() let through
    if (n == 1) {
      cv_.notify_one();
    } else if (n > 1) {
      cv_.notify_all();
    }
  }

  std::ptrdiff_t available() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  std::ptrdiff_t count_;          // guarded by mu_: free permits
  sync::condition_variable cv_;   // waited on with mu_: "count_ > 0"
};

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
