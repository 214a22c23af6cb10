// Lab 01.05 wait group, WRONG (if-not-while): improved, with wait() checking the counter once with `if` and
// then sleeping, instead of waiting with a predicate (or in a while loop).
//
// Why it looks right: only the add()/done() that brings the counter to zero notifies, so when wait() wakes
// up, the counter "must" be zero. Every test on real threads passes: glibc's condition variable rarely
// wakes without a notify. Why it is wrong: a condition variable may wake a thread with no notify at all (a
// spurious wakeup, allowed by the standard and real on some platforms), and a waiter woken by one round's
// notify may run after the next round's add(). After an `if`, nothing checks again: wait() returns with the
// counter above zero, before the tasks are done. The explorer tries spurious wakeups: the sim tests
// WaitSeesEveryDoneOnEverySchedule, WaitReturnsOnlyAfterTheLastDone and SecondRoundWaitsForItsOwnDones
// catch it every run. The fix: zero_.wait(lock, [&] { return count_ == 0; }), which is the while loop.
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
    if (count_ == 0) zero_.notify_all();
  }

  void done() { add(-1); }

  void wait() {
    sync::unique_lock lock(mu_);
    if (count_ != 0) zero_.wait(lock);  // only the add() that reaches zero notifies... or so it seems
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
