// Lab 03.03 hierarchical mutex, WRONG (unlock-pops-the-top): each thread keeps a stack of what it holds, and
// unlock() pops the top of it.
//
// Why it looks right: locks are almost always released in reverse order (lock_guards end in reverse order of
// their construction), and then the top IS the mutex being unlocked; every LIFO test passes. Why it is wrong: a
// unique_lock released early, or a hand-over-hand walk, unlocks out of order. Lock A (300), lock B (200), unlock
// A: the pop removes B's entry, the stack says "holds 300" while the thread really holds B at 200, and a lock of
// level 250 is let through: a lock order the hierarchy exists to forbid. Caught by
// HierarchicalMutexTest.UnlockingOutOfOrderKeepsTheLowestLevelStillHeld.
// The fix: remove this mutex's own entry, wherever it is (search from the top: usually it is the top).
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
    check_before_locking("lock");
    mu_.lock();
    record();
  }

  bool try_lock() {
    check_before_locking("try_lock");
    if (!mu_.try_lock()) return false;
    record();
    return true;
  }

  void unlock() {
    std::vector<const HierarchicalMutex*>& held = held_by_this_thread();
    if (!held.empty()) held.pop_back();  // BUG: drops the last one locked, which may not be this mutex
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
