// Lab 03.03 hierarchical mutex, WRONG (level-not-restored): a thread_local "current level", set by lock() and
// try_lock(), and left alone by unlock().
//
// Why it looks right: the check comes before the lock, it throws with both levels, it is per thread, and every
// test that only goes down the hierarchy passes. Why it is wrong: after unlock() the thread still "holds" the
// level it just released. Lock 300, lock 200, unlock 200: the thread holds 300, and 250 should be allowed, but
// the level says 200. After unlocking everything the thread can never lock a high level again. A check that
// refuses correct code is soon switched off, and then it catches nothing. Caught by
// HierarchicalMutexTest.UnlockRestoresThePreviousLevel, UnlockingEverythingOutOfOrderFreesTheThread,
// ACallbackIntoAHigherLayerIsRefusedOnItsFirstRun, ARefusedLockLeavesTheMutexFree,
// ARefusedTryLockLeavesTheMutexFree and WorksWithTheStandardLockTypes.
// The fix: unlock() gives back the levels held before (a per-thread stack, or a list through the mutexes).
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
    check_before_locking("lock");
    mu_.lock();
    t_level = level_;
  }

  bool try_lock() {
    check_before_locking("try_lock");
    if (!mu_.try_lock()) return false;
    t_level = level_;
    return true;
  }

  void unlock() { mu_.unlock(); }  // BUG: t_level still says this thread holds level_

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
};

}  // namespace lab
