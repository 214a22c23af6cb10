// Lab 03.03 hierarchical mutex, WRONG (equal-level-allowed): the check refuses a level ABOVE the lowest one held
// (`level_ > held`), and lets an equal level through.
//
// Why it looks right: "lock from high to low" sounds like "never lock something higher", and two mutexes of the
// same level look harmless: neither is above the other. Why it is wrong: neither is below the other either, so
// nothing orders them. One thread takes account A then account B (both level 200), another B then A: the
// deadlock is back, and the hierarchy never complains. The same hole lets a thread relock a mutex it holds: lock()
// then self-deadlocks on the underlying mutex, and try_lock() answers "busy" instead of "wrong order".
// Caught by HierarchicalMutexTest.AnEqualLevelIsRefused and
// HierarchicalMutexTest.TryLockOfAMutexYouAlreadyHoldIsRefused. The fix: `level_ >= lowest held`; give mutexes
// that are taken together different levels (or take them with one lock of a level of their own).
#pragma once

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// HierarchicalMutex: a mutex with a level. A thread may lock it only if its level is lower than the level of
// every HierarchicalMutex the thread already holds (a thread holding none may lock any level).
//   - lock() and try_lock() check the rule first, before they could block, and on a violation throw
//     std::logic_error naming both levels, with nothing locked and the thread's levels unchanged. Relocking a
//     mutex the thread holds is a violation (equal levels), not a self-deadlock. try_lock() on a mutex that is
//     merely busy returns false, and also changes nothing.
//   - unlock() may come in any order: the thread's level is then the lowest level it still holds (none after
//     its last unlock). Precondition: the calling thread holds the mutex.
//   - The rule is per thread: another thread's mutexes do not constrain this one.
// Lockable: works with sync::lock_guard, unique_lock and scoped_lock of one mutex. std::lock and a scoped_lock
// of several pick their own locking order, which the rule may refuse.
class HierarchicalMutex {
 public:
  explicit HierarchicalMutex(unsigned level) : level_(level) {}
  HierarchicalMutex(const HierarchicalMutex&) = delete;
  HierarchicalMutex& operator=(const HierarchicalMutex&) = delete;

  unsigned level() const noexcept { return level_; }

  void lock() {
    check_before_locking("lock");  // throws, having touched nothing, before the lock below could block
    mu_.lock();
    push();
  }

  bool try_lock() {
    check_before_locking("try_lock");  // the same rule: a wrong order is a bug even when it would not block
    if (!mu_.try_lock()) return false;  // busy: nothing recorded, nothing to undo
    push();
    return true;
  }

  void unlock() {
    unlink();  // while mu_ is still held: below_ is ours until the unlock below
    mu_.unlock();
  }

 private:
  // Throws if this thread holds a mutex whose level is not above ours.
  void check_before_locking(const char* what) const {
    if (t_top != nullptr && level_ > t_top->level_) {  // BUG: an equal level passes
      throw std::logic_error("HierarchicalMutex: " + std::string(what) + "() of a mutex of level " +
                             std::to_string(level_) + " while this thread holds one of level " +
                             std::to_string(t_top->level_) +
                             ": a thread may only lock levels lower than every level it holds. Lock the "
                             "higher level first (modules/03-classic-problems/03-lock-hierarchies.md)");
    }
  }

  void push() noexcept {  // mu_ is held by this thread
    below_ = t_top;
    t_top = this;
  }

  void unlink() noexcept {  // mu_ is held by this thread, and so is every mutex on its list
    if (t_top == this) {  // the usual case: unlocked in the reverse order of locking
      t_top = below_;
    } else {
      HierarchicalMutex* above = t_top;
      while (above != nullptr && above->below_ != this) above = above->below_;
      if (above == nullptr) {
        std::fputs("HierarchicalMutex: unlock() by a thread that does not hold the mutex\n", stderr);
        std::terminate();
      }
      above->below_ = below_;  // above is held by this thread too: its below_ is ours to write
    }
    below_ = nullptr;
  }

  // The last HierarchicalMutex this thread locked and still holds (the lowest level it holds), or nullptr.
  // Per thread: another thread's locks are none of this thread's business.
  static inline thread_local HierarchicalMutex* t_top = nullptr;

  const unsigned level_;
  sync::mutex mu_;
  HierarchicalMutex* below_ = nullptr;  // guarded by mu_ (only its holder reads or writes it): the mutex the
                                        // holder locked before this one and still holds, or nullptr
};

}  // namespace lab
