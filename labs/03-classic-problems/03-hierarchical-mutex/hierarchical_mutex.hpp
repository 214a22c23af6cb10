// Lab 03.03: a mutex that refuses to be locked out of order.
// Lesson: modules/03-classic-problems/03-lock-hierarchies.md.   Check: ./conclab check 03.03
//
// Give every mutex a level. Make lab::HierarchicalMutex enforce one rule, per thread, at run time:
//
//   A thread may lock a HierarchicalMutex only if its level is LOWER than the level of every
//   HierarchicalMutex the thread already holds. A thread that holds none may lock any level.
//
//   - lock() and try_lock() check the rule BEFORE they could block. On a violation they throw
//     std::logic_error whose what() names both levels (the one asked for and the lowest one held), and they
//     leave nothing locked and the thread's state unchanged. Locking a mutex you already hold is a violation
//     too (equal levels are refused), so it throws instead of deadlocking.
//   - try_lock() on a mutex that is merely busy (another thread holds it) returns false and changes nothing.
//   - unlock() gives the thread back the levels it had before. Unlocking out of order is allowed: lock A (300),
//     lock B (200), unlock A: the thread still holds B, so its limit is still 200; unlock B too and it holds
//     nothing, so any level is fine again.
//   - Per thread: thread 1 holding a level-100 mutex does not stop thread 2 from locking level 500.
//   - It is Lockable: sync::lock_guard, sync::unique_lock and sync::scoped_lock (of one mutex) work with it.
//
// The state "which levels does this thread hold" belongs to the thread, not to the mutex and not to the
// program: `thread_local`. The graded run uses real threads (not the explorer: its simulated threads share one
// OS thread, and so one thread_local) and ThreadSanitizer.
#pragma once

#include <stdexcept>
#include <string>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class HierarchicalMutex {
 public:
  explicit HierarchicalMutex(unsigned level) : level_(level) {}
  HierarchicalMutex(const HierarchicalMutex&) = delete;
  HierarchicalMutex& operator=(const HierarchicalMutex&) = delete;

  unsigned level() const noexcept { return level_; }

  void lock() {
    // TODO(lab): before mu_.lock() can block, refuse a level that is not below every level this thread holds:
    // throw std::logic_error with both levels in the message. Then lock, and record that this thread holds it.
    mu_.lock();
  }

  bool try_lock() {
    // TODO(lab): the same rule as lock() (throw on a violation); a busy mutex returns false and records nothing.
    return mu_.try_lock();
  }

  void unlock() {
    // TODO(lab): forget this mutex in this thread's record (it may not be the last one locked), then unlock.
    mu_.unlock();
  }

 private:
  const unsigned level_;
  sync::mutex mu_;
  // TODO(lab): somewhere per thread (thread_local), what this thread holds: at least the lowest level, and
  // enough to know the lowest level again after an unlock in any order.
};

}  // namespace lab
