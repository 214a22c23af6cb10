// Lab 01.05 wait group, WRONG (done-skips-the-lock): improved, with done(), the call every task makes, kept
// off the mutex: it decrements the counter without the lock and takes the lock only to notify at zero.
//
// Why it looks right: done() is the hot path, and the notify still happens under the lock, which is what
// prevents the lost wakeup. On x86 a decrement of an int looks like one instruction. Why it is wrong:
// `--count_` is a read and a write of a plain int, and two workers finishing at once race on it (two
// decrements from 2 can both write 1: the counter never reaches zero and wait() never returns), and the
// waiter reads count_ under a lock the decrement never takes: data races, undefined behaviour. The explorer
// checks every plain access by happens-before and reports the race with both lines, every run (and
// ThreadSanitizer usually does). The fix: every access to count_ under mu_ (done() is add(-1)), or make the
// counter an atomic changed with compare-exchange and wait on it (final).
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

  void done() {
    // the hot path: every task calls it, so no lock for the decrement; lock only to notify
    if (count_ == 0) throw std::logic_error("WaitGroup: the counter would go below zero (more done() than add())");
    if (--count_ == 0) {
      sync::lock_guard lock(mu_);
      zero_.notify_all();
    }
  }

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
