// Lab 01.06 semaphore, WRONG (notify-before-count): release() notifies first, then takes the mutex and adds
// the permits.
//
// Why it looks right: "wake them up, then give them the permit" reads naturally, the count is changed under
// the mutex, and acquire() waits with a predicate, so a waiter that wakes too early just re-checks and sleeps
// again. Why it is wrong: that re-check is exactly the problem. The waiter wakes, takes the mutex before
// release() does, sees count_ == 0 and goes back to sleep; then release() adds the permit and notifies nobody.
// The waiter sleeps forever next to a free permit: a lost wakeup, caused by a notify that came before the state
// change it announces. A notify says "the condition may have changed": it must come AFTER the change (while
// still holding the mutex, lesson 03). The explorer runs the schedule where the woken waiter gets the mutex
// first and reports the thread left asleep (SemaphoreTest.ReleaseWakesABlockedAcquire and the others that
// wait for a release()). The fix: lock, add, notify, in that order.
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
    if (n == 1) {  // BUG: the waiter is woken before there is anything for it to find
      cv_.notify_one();
    } else if (n > 1) {
      cv_.notify_all();
    }
    sync::lock_guard lock(mu_);
    count_ += n;
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
