// Lab 01.06 semaphore, WRONG (release-without-notify): release() adds the permits under the mutex and wakes
// nobody.
//
// Why it looks right: acquire() waits with a predicate, so it re-checks the count whenever it wakes; the count
// is right, and a release() before anyone waits is simply a larger count. Why it is wrong: a waiter that is
// already asleep wakes only when notified (a spurious wakeup may happen, but nothing promises one). With no
// notify, an acquire() that went to sleep before the release() sleeps forever next to a free permit: a lost
// wakeup. The explorer runs the schedule where the waiter sleeps first and reports that nobody is left to
// wake it (SemaphoreTest.ReleaseWakesABlockedAcquire, SemaphoreTest.ReleaseOfTwoLetsTwoBlockedAcquiresIn,
// SemaphoreTest.OnePermitLetsOneOfTwoAcquirersIn). The fix: notify_one() for one permit, notify_all() for more.
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
    sync::lock_guard lock(mu_);
    count_ += n;  // BUG: a thread asleep in acquire() is never told
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
