// Lab 03.03 hierarchical mutex, WRONG (check-after-lock): lock() locks the underlying mutex first and checks the
// rule afterwards (unlocking again before it throws, so nothing stays locked).
//
// Why it looks right: every test on one thread passes: a wrong order still throws std::logic_error with both
// levels, and the mutex is released before the throw. Why it is wrong: the check exists to stop a thread from
// waiting for a lock in the wrong order, and this one waits first. Thread A holds low and asks for high while
// thread B holds high and waits for low: A blocks in mu_.lock() and never reaches its check. It is exactly the
// deadlock the hierarchy was meant to prevent, with no message. (try_lock() has the same shape: relocking a
// mutex the thread holds reports "busy" before the check runs.) Caught by
// HierarchicalMutexTest.AWrongOrderThrowsInsteadOfDeadlocking (under a watchdog: the two threads are stuck
// for good) and TryLockOfAMutexYouAlreadyHoldIsRefused. The fix: check, then lock.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// HierarchicalMutex: a mutex with a level. A thread may lock it only if its level is lower than the level of
// every HierarchicalMutex the thread already holds (a thread holding none may lock any level).
//   - lock() and try_lock() check the rule first, before they could block, and on a violation throw
//     std::logic_error naming both levels, with nothing locked and the thread's levels unchanged. try_lock() on
//     a mutex that is merely busy returns false and also changes nothing.
//   - unlock() may come in any order: the thread's level is then the lowest level it still holds.
//   - The rule is per thread.
// Lockable: works with sync::lock_guard, unique_lock and scoped_lock of one mutex.
class HierarchicalMutex {
 public:
  explicit HierarchicalMutex(unsigned level) : level_(level) {}
  HierarchicalMutex(const HierarchicalMutex&) = delete;
  HierarchicalMutex& operator=(const HierarchicalMutex&) = delete;

  unsigned level() const noexcept { return level_; }

  void lock() {
    mu_.lock();  // BUG: blocks first. In a wrong order it is already stuck here, and the check never runs
    check_after_locking("lock");
    record();
  }

  bool try_lock() {
    if (!mu_.try_lock()) return false;  // a mutex this thread holds is "busy" here, before any check
    check_after_locking("try_lock");
    record();
    return true;
  }

  void unlock() {
    std::vector<const HierarchicalMutex*>& held = held_by_this_thread();
    // Usually the last one (LIFO); search from the back for the out-of-order case.
    const auto it = std::find(held.rbegin(), held.rend(), this);
    if (it != held.rend()) held.erase(std::next(it).base());
    mu_.unlock();
  }

 private:
  static std::vector<const HierarchicalMutex*>& held_by_this_thread() {
    static thread_local std::vector<const HierarchicalMutex*> held;  // sorted: levels strictly decrease
    return held;
  }

  void check_before_locking(const char* what) const {
    const std::vector<const HierarchicalMutex*>& held = held_by_this_thread();
    if (!held.empty() && level_ >= held.back()->level_) {
      throw std::logic_error("HierarchicalMutex: " + std::string(what) + "() of a mutex of level " +
                             std::to_string(level_) + " while this thread holds one of level " +
                             std::to_string(held.back()->level_) +
                             ": a thread may only lock levels lower than every level it holds. Lock the "
                             "higher level first (modules/03-classic-problems/03-lock-hierarchies.md)");
    }
  }

  void check_after_locking(const char* what) {  // mu_ is held: give it back before throwing
    try {
      check_before_locking(what);
    } catch (...) {
      mu_.unlock();
      throw;
    }
  }

  void record() {  // mu_ is held: if recording fails, give it back so nothing stays locked
    try {
      held_by_this_thread().push_back(this);
    } catch (...) {
      mu_.unlock();
      throw;
    }
  }

  const unsigned level_;
  sync::mutex mu_;
};

}  // namespace lab
