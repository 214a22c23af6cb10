// Lab 03.03 hierarchical mutex, WRONG (static-not-thread-local): the record of what is held is a plain static,
// shared by every thread, instead of a thread_local.
//
// Why it looks right: every test on one thread passes, since with one thread "the program's locks" and "this
// thread's locks" are the same thing. Why it is wrong: the rule is about the locks the CALLING thread holds.
// With a static, thread 1 holding a level-100 mutex makes thread 2's lock() of level 500 throw, although
// thread 2 holds nothing and cannot deadlock with anyone over it; and two threads pushing onto one list at
// once corrupt it (a data race). Caught, with latches that make thread 1 hold its lock while thread 2 asks, by
// HierarchicalMutexTest.ABusyTryLockReturnsFalseAndChangesNothing, EachThreadHasItsOwnLevels,
// AnotherThreadsFailedTryLockDoesNotChangeYourLevel and AWrongOrderThrowsInsteadOfDeadlocking.
// The fix: `static inline thread_local`.
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
  static inline HierarchicalMutex* t_top = nullptr;  // BUG: one for the whole program, not one per thread

  const unsigned level_;
  sync::mutex mu_;
  HierarchicalMutex* below_ = nullptr;  // guarded by mu_ (only its holder reads or writes it): the mutex the
                                        // holder locked before this one and still holds, or nullptr
};

}  // namespace lab
