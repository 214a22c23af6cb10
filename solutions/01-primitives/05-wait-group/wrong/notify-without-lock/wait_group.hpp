// Lab 01.05 wait group, WRONG (notify-without-lock): improved's mutex and condition variable for the waiters,
// but the counter is an atomic that add() changes without taking the mutex.
//
// Why it looks right: no data race (the counter is atomic), the notify comes after the change, and the waiter
// checks its condition in a loop. Why it is wrong: the waiter checks "count_ == 0" under the mutex and then
// sleeps; the last done() does not take that mutex, so its change and its notify can both land between the
// check and the sleep. The waiter sleeps forever (WaitGroupTest.WaitSeesEveryDoneOnEverySchedule).
#pragma once

#include <stdexcept>

#include "conclab/annotated_mutex.hpp"
#include "conclab/sync.hpp"

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup.
//
// Contract:
//   - add(n) adds n (which may be negative) to the counter; done() is add(-1). A call that would take the
//     counter below zero throws std::logic_error and leaves it unchanged.
//   - wait() blocks until the counter is zero; it returns at once if it already is. Any number of waiters.
//   - Happens-before: everything a thread did before its done() is visible to every thread whose wait()
//     returns because of it (through mu_).
//   - Reuse: a new round's first add() must happen after every wait() of the previous round has returned.
//   - All methods are thread-safe. The WaitGroup must outlive every call on it.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) CONCLAB_EXCLUDES(mu_) {
    int current = count_.load();
    do {
      if (current + n < 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    } while (!count_.compare_exchange_weak(current, current + n));
    // "count_ is atomic, so the mutex is only for the waiters": this notify can land between a waiter's
    // check of count_ and its sleep, and wake nobody.
    if (current + n == 0) zero_.notify_all();
  }

  void done() CONCLAB_EXCLUDES(mu_) { add(-1); }

  void wait() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    zero_.wait(lock, [&] { return count_.load() == 0; });
  }

  int count() const { return count_.load(); }

 private:
  mutable conclab::Mutex mu_;
  sync::atomic<int> count_{0};  // changed without mu_
  conclab::CondVar zero_;  // waited on with mu_: "count_ == 0"
};

}  // namespace lab
