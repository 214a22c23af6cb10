// Lab 01.05 wait group, WRONG (zero-flag-never-reset): wait() waits for a `reached_zero_` flag that the add()
// bringing the counter to zero sets, and nothing ever clears.
//
// Why it looks right: the contract warns that a waiter still waking up when the next round's add() runs
// would sleep on into that round. The flag is meant to fix that: once the counter has been zero, a waiter
// may leave even if it wakes late. It is set and read under the mutex, and for one round (the way most
// tests use a WaitGroup) it is exactly right: no data race, no lost wakeup, no early return. Why it is wrong: the contract allows reuse: when the counter is back at zero, add() starts
// a new round. The flag still says "zero" from the previous round, so the new round's wait() returns at
// once, before any of its tasks called done(), and the caller reads results that are not written yet. Caught
// every run by the sim test SecondRoundWaitsForItsOwnDones. The fix: wait for the counter itself
// (count_ == 0), or clear the flag in the add() that takes the counter from zero to above.
#pragma once

#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// WaitGroup: waits for a group of tasks to finish, like Go's sync.WaitGroup (the contract: see the lab's
// wait_group.hpp).
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int n) {
    sync::lock_guard lock(mu_);
    if (count_ + n < 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    count_ += n;
    if (count_ == 0) {
      reached_zero_ = true;  // set once; nothing clears it when a new round starts (the bug)
      zero_.notify_all();
    }
  }

  void done() { add(-1); }

  void wait() {
    sync::unique_lock lock(mu_);
    zero_.wait(lock, [&] { return count_ == 0 || reached_zero_; });
  }

  int count() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  int count_ = 0;                      // guarded by mu_
  bool reached_zero_ = false;          // guarded by mu_: "the counter has been zero"
  sync::condition_variable zero_;      // waited on with mu_: "count_ == 0"
};

}  // namespace lab
