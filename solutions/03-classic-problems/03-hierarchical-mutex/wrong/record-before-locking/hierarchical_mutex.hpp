// Lab 03.03 hierarchical mutex, WRONG (record-before-locking): a thread_local "current level", and the mutex keeps
// the level to go back to, written in lock() and try_lock() together with the check, before the underlying mutex
// is taken; a try_lock() that finds the mutex busy undoes its own change.
//
// Why it looks right: "check and record, then lock" keeps the bookkeeping in one place, before anything can
// block, and one thread at a time passes every test with locks released in reverse order. Why it is wrong:
// previous_ belongs to the mutex, and it is written by a thread that does not hold it yet. Thread 1 holds 500
// and 100; thread 2 calls try_lock() (or lock(), which then waits) on the 100: it overwrites previous_ with its
// own level, "nothing". Thread 1 unlocks the 100 and restores thread 2's level: it forgets that it still holds
// 500 and lets a lock of 700 through. Writing previous_ without holding mu_ is also a data race. (And, like every
// "one saved level" design, an out-of-order unlock restores a level that is no longer right.) Caught by
// HierarchicalMutexTest.AnotherThreadsFailedTryLockDoesNotChangeYourLevel on every run (latches put the other
// thread's try_lock() between the owner's lock and unlock), UnlockingOutOfOrderKeepsTheLowestLevelStillHeld and
// UnlockingEverythingOutOfOrderFreesTheThread; and under ThreadSanitizer also by
// AWrongOrderThrowsInsteadOfDeadlocking, where thread B writes low's previous_ on its way into a lock() that
// waits while thread A, the owner, reads it in unlock(): a data race, reported every run. The fix: touch the
// mutex's fields only while holding it, or keep the thread's record in the thread (thread_local).
#pragma once

#include <optional>
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
    enter("lock");
    mu_.lock();
  }

  bool try_lock() {
    enter("try_lock");
    if (!mu_.try_lock()) {
      t_level = previous_;  // undo enter(): this thread did not get the mutex
      return false;
    }
    return true;
  }

  void unlock() {
    t_level = previous_;  // BUG: previous_ may be another thread's level by now
    mu_.unlock();
  }

 private:
  void enter(const char* what) {
    check_before_locking(what);
    previous_ = t_level;  // BUG: written before this thread holds mu_: another thread's lock() overwrites it
    t_level = level_;
  }

 private:
  void check_before_locking(const char* what) const {
    if (t_level.has_value() && level_ >= *t_level) {
      throw std::logic_error("HierarchicalMutex: " + std::string(what) + "() of a mutex of level " +
                             std::to_string(level_) + " while this thread holds one of level " +
                             std::to_string(*t_level) +
                             ": a thread may only lock levels lower than every level it holds");
    }
  }

  // The lowest level this thread holds, or nothing.
  static inline thread_local std::optional<unsigned> t_level;

  const unsigned level_;
  sync::mutex mu_;
  std::optional<unsigned> previous_;  // meant to be the holder's level before it locked this mutex
};

}  // namespace lab
