// Lab 01.05 wait group, WRONG (check-then-add): final's atomic counter, but add() checks "would it go below
// zero?" with one load and changes the counter with a separate fetch_add.
//
// Why it looks right: both steps are atomic, and one thread calling done() too often is still caught. Why it
// is wrong: with the counter at 1, two done() calls can both load 1, both pass the check, and both subtract:
// the counter reaches -1, neither throws, and a later wait() may return while work is outstanding. The
// explorer tries that order (WaitGroupTest.TwoDonesForOneAddThrowExactlyOnce). The fix is final's
// compare-exchange loop: the check and the change become one step.
#pragma once

#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup.
//
// Contract:
//   - add(n) adds n (which may be negative) to the counter; done() is add(-1). A call that would take the
//     counter below zero throws std::logic_error and leaves it unchanged.
//   - wait() blocks until the counter is zero; it returns at once if it already is. Any number of waiters.
//   - Happens-before: everything a thread did before its done() is visible to every thread whose wait()
//     returns because of it (release compare-exchange in add(), acquire load in wait()).
//   - Reuse: a new round's first add() must happen after every wait() of the previous round has returned.
//   - All methods are thread-safe. The WaitGroup must outlive every call on it.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) {
    // relaxed: only a first guess for the compare-exchange, which re-reads the real value if it is stale.
    // Check, then act: another done() can run between the two, and both pass the check.
    if (count_.load(std::memory_order_acquire) + n < 0) {
      throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    }
    const int next = count_.fetch_add(n, std::memory_order_acq_rel) + n;
    if (next == 0) count_.notify_all();
  }

  void done() { add(-1); }

  void wait() {
    // acquire: pairs with the release compare-exchange in add() that wrote the value we read.
    for (int seen = count_.load(std::memory_order_acquire); seen != 0; seen = count_.load(std::memory_order_acquire)) {
      // Blocks while count_ still equals `seen`; may also return spuriously, hence the loop.
      count_.wait(seen, std::memory_order_acquire);  // acquire: as above
    }
  }

  int count() const {
    return count_.load(std::memory_order_relaxed);  // relaxed: a snapshot, publishes nothing
  }

 private:
  sync::atomic<int> count_{0};  // > 0 while tasks are outstanding; never below 0
};

}  // namespace lab
