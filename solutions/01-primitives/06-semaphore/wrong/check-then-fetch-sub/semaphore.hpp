// Lab 01.06 semaphore, WRONG (check-then-fetch-sub): the count is an atomic, and acquire() / try_acquire() take
// a free permit without the mutex: "if a permit is free, fetch_sub it".
//
// Why it looks right: every access to count_ is atomic, so ThreadSanitizer has no data race to report, and
// the slow path (no permit: sleep on the condition variable) is the reference one. Why it is wrong: the check
// and the take are two atomic operations, not one. With one permit, two threads can both load 1, both see a
// free permit, and both fetch_sub: two users inside a section for one, and the count at -1. A stress test
// hits that window rarely (a few nanoseconds); the explorer finds it on every run
// (SemaphoreTest.OnePermitLetsOneOfTwoAcquirersIn, SemaphoreTest.TwoTryAcquiresRacingForOnePermitGiveItToOne).
// The fix: a compare-exchange loop that moves the count only from the value it saw (final), or the mutex.
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
    if (count_.load() > 0) {  // a permit is free ...
      count_.fetch_sub(1);    // ... so take it: the count is atomic, no lock needed (BUG: two steps)
      return;
    }
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return count_.load() > 0; });
    count_.fetch_sub(1);  // BUG: the lock-free path above may take this permit between the check and here
  }

  bool try_acquire() {
    if (count_.load() <= 0) return false;
    count_.fetch_sub(1);  // BUG: another thread may have taken it since the load
    return true;
  }

  void release(std::ptrdiff_t n = 1) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    sync::lock_guard lock(mu_);  // under the lock, so a waiter between its check and its sleep cannot miss it
    count_.fetch_add(n);
    if (n == 1) {
      cv_.notify_one();
    } else if (n > 1) {
      cv_.notify_all();
    }
  }

  std::ptrdiff_t available() const { return count_.load(); }

 private:
  sync::mutex mu_;                      // for the condition variable only
  sync::condition_variable cv_;         // waited on with mu_: "count_ > 0"
  sync::atomic<std::ptrdiff_t> count_;  // free permits
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
