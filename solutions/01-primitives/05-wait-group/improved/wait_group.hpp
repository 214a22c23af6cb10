// improved: a counter under a mutex, and a condition variable that wait() sleeps on with a predicate.
//
// Changed from naive: wait() no longer polls. It takes the mutex and waits on done_ until count_ == 0, and the
// add()/done() that brings the counter to zero notify_all()s (all: every waiter is waiting for the same thing,
// and all of them may go). Every access to count_ is under mu_, so there is no data race, and the mutex gives
// the happens-before promise: a worker's writes before done() are visible to the waiter that re-takes mu_ after.
// No sleeping either: a waiter wakes as soon as the counter hits zero.
//
// It uses conclab::Mutex/CondVar, std::mutex and std::condition_variable with Clang thread-safety annotations:
// with the clang-tsa preset the compiler proves that count_ is only touched with mu_ held.
#pragma once

#include <stdexcept>

#include "conclab/annotated_mutex.hpp"

namespace lab {

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
    conclab::MutexLock lock(mu_);
    if (count_ + n < 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    count_ += n;
    if (count_ == 0) zero_.notify_all();
  }

  void done() CONCLAB_EXCLUDES(mu_) { add(-1); }

  void wait() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    zero_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return count_ == 0; });  // the lambda runs with mu_ held
  }

  int count() const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return count_;
  }

 private:
  mutable conclab::Mutex mu_;
  int count_ CONCLAB_GUARDED_BY(mu_) = 0;
  conclab::CondVar zero_;  // waited on with mu_: "count_ == 0"
};

}  // namespace lab
