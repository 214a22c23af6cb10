// Lab 03.07 lost-wakeup, WRONG (if-not-while): wait() checks the flag once, `if (!set_) cv_.wait(lock);`.
//
// Why it looks right: it fixes the naive version's lost wakeup (a set() before wait() is seen, and the flag
// changes under the mutex, so the check and the sleep are one step), and the only thing that notifies is set(),
// so "when wait() returns, set() must have run". Why it is wrong: a condition variable's wait may return with no
// notify at all, a spurious wakeup, which the standard allows and real implementations produce. Then wait()
// returns with the gate still closed, and the waiter reads data the setter has not written yet. The explorer
// tries a spurious wakeup at every wait (EventTest.WaiterWakesWhenTheSetterSets, EventTest.SetWakesEveryWaiter).
// The fix: check again after every wakeup, `while (!set_) cv_.wait(lock);` or the predicate form.
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
    if (!set_) cv_.wait(lock);  // BUG: checked once; a spurious wakeup returns with set_ still false
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
