// Lab 03.03 hierarchical mutex, IMPROVED: each thread keeps a stack of the mutexes it holds, in a
// thread_local std::vector, and checks the rule against it before it locks.
//
// What changed from naive, and why: naive is a plain mutex that carries a level and never looks at it, so two
// threads that lock the same two mutexes in opposite orders deadlock, and nothing says why. Here lock() first
// asks "what is the lowest level this thread holds?" (the top of its stack: every push is below the one before,
// so the stack is sorted) and throws std::logic_error, naming both levels, if the new level is not below it.
// It throws BEFORE locking: a check after mu_.lock() would come too late, the thread would already be blocked
// in the very deadlock the check is there to prevent. try_lock() applies the same rule. The stack is
// thread_local: each thread's levels are its own (a static one would let one thread's locks refuse another's).
//
// Why a stack and not one saved "previous level" per mutex: a thread may unlock in any order (a unique_lock
// released early, say). Restoring a saved level is right only for the mutex locked last; unlock here removes
// this mutex from wherever it is in the stack, and the level is whatever is on top afterwards.
//
// The cost the final version removes: the vector allocates (on a thread's first lock and whenever it grows),
// so push_back can throw std::bad_alloc after mu_ is locked; lock() catches that and unlocks before rethrowing
// so nothing stays locked. And a thread_local with a constructor is reached through a wrapper that checks "is
// it initialised yet?" on every access. Final threads the stack through the mutexes instead: one pointer each.
//
// Lesson: modules/03-classic-problems/03-lock-hierarchies.md.
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
