// Lab 03.03 hierarchical mutex, FINAL: the thread's held mutexes as an intrusive list threaded through the
// mutexes themselves. No allocation, nothing that can fail after the underlying mutex is locked.
//
// What changed from improved, and why: improved keeps a thread_local std::vector of the mutexes the thread
// holds. That is correct, but the vector allocates (the first lock on every thread, and whenever it grows), so
// a lock() can throw std::bad_alloc after the underlying mutex is already locked, and improved needs a
// try/catch to give it back; a thread_local with a constructor also costs an "is it initialised yet?" check on
// every access. Here each mutex has one pointer, below_, written only by the thread that holds it: "the mutex
// this thread held most recently before me". The thread_local is a single raw pointer, t_top, to the last
// mutex the thread locked and still holds. lock() pushes onto that list, unlock() unlinks the mutex wherever
// it is (at the top in the usual LIFO case, O(1); further down when unlocked out of order, a walk of a list
// that is as long as the thread's lock nesting, a handful). Both are a few loads and stores, with nothing to
// fail between locking and recording.
//
// Why the levels stay sorted: a mutex is pushed only if its level is below the level of t_top, which is the
// lowest the thread holds. So the list runs from the lowest level (t_top) up, strictly increasing, and
// removing any entry keeps it sorted: after an out-of-order unlock, t_top is still the lowest level held.
//
// What an expert would still do differently in production: make the check a debug-build check. The rule is
// about the program's design, not about one run; a debug build and the test suite exercise the lock paths,
// and the release build uses a plain mutex (for example `#ifdef NDEBUG using HierarchicalMutex = Plain;`),
// as Abseil's deadlock detection and the Linux kernel's lockdep are meant to be run (lesson 03). Levels would
// be named constants of one header (kAccountLevel = 200 ...), so the hierarchy is written down in one place;
// and a tool would rather report both stacks (where the held mutex was locked, where the refused one was
// asked for) than just the two levels.
//
// Lesson: modules/03-classic-problems/03-lock-hierarchies.md.
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
  static inline thread_local HierarchicalMutex* t_top = nullptr;

  const unsigned level_;
  sync::mutex mu_;
  HierarchicalMutex* below_ = nullptr;  // guarded by mu_ (only its holder reads or writes it): the mutex the
                                        // holder locked before this one and still holds, or nullptr
};

}  // namespace lab
