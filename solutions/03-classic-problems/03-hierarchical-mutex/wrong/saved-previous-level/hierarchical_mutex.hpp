// Lab 03.03 hierarchical mutex, WRONG (saved-previous-level): a thread_local "current level", and each mutex
// saves the level it replaced when it was locked and puts it back when it is unlocked.
//
// Why it looks right: it is the classic design (a thread_local level, the previous one kept in the mutex and
// written only by its holder), it has no data race, and for locks released in reverse order it is exactly
// right: every LIFO test passes. Why it is wrong: the saved level is the one from when THIS mutex was locked,
// which is only still true if everything locked after it was already unlocked. Lock A (300), lock B (200),
// unlock A: the thread's level goes back to A's saved "nothing" although it still holds B at 200, so a lock of
// 250 is let through; then unlock B restores 300, which the thread no longer holds, and a lock of 1000 is
// refused. Caught by HierarchicalMutexTest.UnlockingOutOfOrderKeepsTheLowestLevelStillHeld and
// UnlockingEverythingOutOfOrderFreesTheThread. The fix: decide a rule for out-of-order unlocks (here: allowed,
// the level is the lowest one still held) and keep what the thread holds, not just one number.
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
    previous_ = t_level;
    t_level = level_;
  }

  bool try_lock() {
    check_before_locking("try_lock");
    if (!mu_.try_lock()) return false;
    previous_ = t_level;
    t_level = level_;
    return true;
  }

  void unlock() {
    t_level = previous_;  // BUG: right only if this is the last mutex the thread locked
    mu_.unlock();
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
  std::optional<unsigned> previous_;  // guarded by mu_: the holder's level before it locked this mutex
};

}  // namespace lab
