// Lab 01.06 semaphore, WRONG (if-not-while): acquire() waits with `if (count_ == 0) cv_.wait(lock);` and then
// takes the permit.
//
// Why it looks right: a waiter sleeps only when there is no permit, and release() notifies after adding one,
// so when wait() returns a permit must be there. Why it is wrong: wait() may return with nothing changed (a
// spurious wakeup, which the standard allows), and a woken waiter may find that another acquirer took the
// permit first. Either way `--count_` runs on 0: a user gets in with no permit, and the count goes negative.
// The explorer tries a spurious wakeup at every wait (SemaphoreTest.ReleaseWakesABlockedAcquire,
// SemaphoreTest.ReleaseOfTwoLetsTwoBlockedAcquiresIn, SemaphoreTest.OnePermitLetsOneOfTwoAcquirersIn).
// The fix: wait in a loop, `cv_.wait(lock, [&] { return count_ > 0; });`.
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
    if (count_ == 0) cv_.wait(lock);  // BUG: checked once; nothing is re-checked after the wakeup
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
    count_ += n;
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
  sync::condition_variable cv_;   // waited on with mu_
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
