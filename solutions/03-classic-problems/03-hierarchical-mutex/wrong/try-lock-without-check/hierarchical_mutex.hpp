// Lab 03.03 hierarchical mutex, WRONG (try-lock-without-check): lock() checks the rule, try_lock() does not.
//
// Why it looks right: the point of the hierarchy is to prevent deadlock, and try_lock() never blocks, so it
// cannot deadlock: why check it? Why it is wrong: the order is a property of the design, not of one call. A
// try_lock() of a higher level succeeds whenever the mutex happens to be free, records a level above one the
// thread holds (so its stack is no longer sorted: the next checks compare against the wrong level), and a
// relock of a held mutex answers "busy" instead of "wrong order". A code path that try-locks in the wrong order
// today is changed to lock() tomorrow. Caught by HierarchicalMutexTest.TryLockRefusesAHigherLevel,
// TryLockOfAMutexYouAlreadyHoldIsRefused and ARefusedTryLockLeavesTheMutexFree.
// The fix: try_lock() calls the same check as lock(), first.
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
    // BUG: no check: "try_lock() never blocks, so it cannot deadlock"
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
    if (t_top != nullptr && level_ >= t_top->level_) {
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
