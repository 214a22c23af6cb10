// Lab 01.05: a Go-style WaitGroup (lesson: modules/01-primitives/06-latch-barrier-semaphore.md).
//
// Make wait() block until the counter is zero, without polling, and reject a counter below zero.
// Every change point is marked TODO(lab).
#pragma once

#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup.
//
//   lab::WaitGroup wg;
//   wg.add(3);                                    // three tasks to wait for
//   for (...) pool.submit([&] { work(); wg.done(); });
//   wg.wait();                                    // returns once all three called done()
//
// Contract:
//   - add(n) adds n (which may be negative) to the counter; done() is add(-1).
//   - A call that would take the counter below zero throws std::logic_error and leaves the counter unchanged:
//     more done()s than add()s is a bug in the caller, and hiding it would let wait() return too early.
//   - wait() blocks until the counter is zero; it returns at once if it already is. Any number of threads
//     may wait at the same time; they are all released when the counter reaches zero.
//   - Happens-before: everything a thread did before its done() (or the add() that brought the counter to
//     zero) is visible to every thread whose wait() returns because of it.
//   - Reuse: when the counter is back at zero, the group can be used for a new round (add() again). As in Go,
//     the add() that starts a new round must happen after every wait() of the previous round has returned:
//     a waiter that has not yet woken up when the counter goes 0 -> n may sleep on into the new round.
//   - All methods may be called from any thread, concurrently. The WaitGroup must outlive every call on it.
//   - count() returns the counter's current value: a snapshot, for tests and diagnostics.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) {
    sync::lock_guard lock(mu_);
    // TODO(lab): if count_ + n would be below zero, throw std::logic_error and change nothing.
    count_ += n;
    // TODO(lab): when the counter reaches zero, wake every thread blocked in wait().
  }

  void done() { add(-1); }

  void wait() {
    // TODO(lab): block until the counter is zero. Not by polling with sleeps ("sleep and hope"): wait on a
    //            condition variable with a predicate, or on the counter itself with std::atomic::wait (C++20).
    if (count() != 0) {
      throw std::logic_error("WaitGroup::wait() with tasks still running is not implemented yet: it must block "
                             "until the counter is zero (see the TODO(lab) in wait_group.hpp)");
    }
  }

  int count() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  int count_ = 0;  // guarded by mu_
};

}  // namespace lab
