// Lab 01.05 wait group, WRONG (notify-one): improved's counter under a mutex and a condition variable, with
// notify_one() where the counter reaches zero.
//
// Why it looks right: "notify_one is cheaper, and the last done() only has to wake the waiter". With one
// waiter, which is how most tests and most programs use a WaitGroup, it is correct, and it passes every run
// of every test that has a single thread in wait(). Why it is wrong: the contract allows any number of
// waiters, and they all wait for the same thing. notify_one() wakes one of them; the others sleep on with the
// counter at zero and nothing left that will ever notify again: a lost wakeup, and their wait() never
// returns. Caught every run by the sim test EveryWaiterIsReleasedOnEverySchedule (two waiters asleep, one
// done()), which reports the waiter left asleep. The fix: notify_all() when the counter reaches zero.
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
    if (count_ == 0) zero_.notify_one();  // "the waiter": but there may be several
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
