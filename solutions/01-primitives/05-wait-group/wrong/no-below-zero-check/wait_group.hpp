// Lab 01.05 wait group, WRONG (no-below-zero-check): improved without the check that the counter stays at or
// above zero.
//
// Why it looks right: every task does add(1) before it starts and done() when it ends, so the counter can
// never go below zero in a correct program, and every test of waiting passes. Why it is wrong: the check
// is there for the programs that are not correct. One done() too many takes the counter to -1, and then a
// wait() sleeps until the counter is zero again (after the next add(1)... and its done()), or a later
// round's wait() returns while tasks still run: the bug shows up far from where it happened. Go's
// WaitGroup panics ("sync: negative WaitGroup counter") for exactly this reason. Caught by
// GoingBelowZeroThrowsAndChangesNothing (default build) and TwoDonesForOneAddThrowExactlyOnce (sim
// build). The fix: check count_ + n < 0 under the lock, throw std::logic_error, and change nothing.
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
    count_ += n;
    if (count_ == 0) zero_.notify_all();
  }

  void done() { add(-1); }

  void wait() {
    sync::unique_lock lock(mu_);
    zero_.wait(lock, [&] { return count_ == 0; });
  }

  int count() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  int count_ = 0;                      // guarded by mu_
  sync::condition_variable zero_;      // waited on with mu_: "count_ == 0"
};

}  // namespace lab
