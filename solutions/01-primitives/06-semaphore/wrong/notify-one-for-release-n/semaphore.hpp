// Lab 01.06 semaphore, WRONG (notify-one-for-release-n): release(n) always calls notify_one(), whatever n is.
//
// Why it looks right: one notify per release() call, as in every condition-variable example, and a release(1)
// works. Why it is wrong: release(2) gives two permits but wakes one waiter; the second stays asleep next to a
// free permit until some later release() happens to wake it, or forever: a lost wakeup. The explorer runs the
// schedule where both waiters sleep before release(2) (SemaphoreTest.ReleaseOfTwoLetsTwoBlockedAcquiresIn).
// The fix: wake as many as can go on: notify_all() when n > 1 (the predicate sends back the ones that find
// no permit), or notify_one() n times.
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
    count_ += n;
    cv_.notify_one();  // BUG: n permits, one wakeup
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
