// Lab 03.07 lost-wakeup, WRONG (wait-then-check): wait() is `do { cv_.wait(lock); } while (!set_);`.
//
// Why it looks right: it loops, so a spurious wakeup is handled (the lesson's "while, not if" is obeyed), and the
// flag changes under the mutex. Why it is wrong: it sleeps FIRST and checks after. If set() already ran, its
// notify is gone (a condition variable keeps no memory), and the do-while goes to sleep without ever looking at
// the open gate: the naive version's lost wakeup, still there. The predicate must be checked before the first
// sleep too. The explorer runs the schedule where the setter goes first (EventTest.WaiterWakesWhenTheSetterSets),
// and the plain test EventTest.SetBeforeWaitDoesNotBlock hangs on every run. The fix: `while (!set_) cv_.wait(lock);`
// (the check comes first), or `cv_.wait(lock, [&] { return set_; });`, which is exactly that loop.
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() {
    sync::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }

  void wait() {
    sync::unique_lock lock(mu_);
    do {
      cv_.wait(lock);  // BUG: sleeps before the first check; a set() that already happened is never seen
    } while (!set_);
  }

  bool is_set() const {
    sync::lock_guard lock(mu_);
    return set_;
  }

 private:
  mutable sync::mutex mu_;
  bool set_ = false;  // guarded by mu_
  sync::condition_variable cv_;
};

}  // namespace lab
