// Lab 01.06 semaphore, WRONG (try-acquire-off-by-one): try_acquire() refuses only when the count is below zero.
//
// Why it looks right: "a negative count means no permit" is true of many semaphores (final's count goes negative
// to register waiters), the check is under the mutex, and with permits left every test of try_acquire() passes.
// Why it is wrong: here count_ is the number of FREE permits and never negative, so `count_ < 0` is never true:
// with 0 permits left, try_acquire() still says yes and takes a permit that is not there (the count goes to -1,
// -2...). An off-by-one at the limit: the last permit is handed out once, then again and again.
// SemaphoreTest.TryAcquireTakesOnlyFreePermits and SemaphoreTest.RacingTryAcquiresGiveTheLastPermitToOneThread
// fail on every run, and the explorer's SemaphoreTest.TwoTryAcquiresRacingForOnePermitGiveItToOne too. The fix:
// `if (count_ == 0) return false;` (or `<= 0`).
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
    if (count_ < 0) return false;  // BUG: count_ counts free permits and is never negative: 0 means none
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
