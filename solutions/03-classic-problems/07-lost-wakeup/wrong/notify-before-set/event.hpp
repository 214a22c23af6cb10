// Lab 03.07 lost-wakeup, WRONG (notify-before-set): set() notifies first, then takes the mutex and sets the flag.
//
// Why it looks right: "wake them, then open the gate" reads naturally; the flag changes under the mutex and wait()
// uses a predicate, so a waiter that wakes early just looks again. Why it is wrong: that look is the problem. The
// waiter is asleep; set() notifies; the woken waiter takes the mutex before set() does, finds the flag still
// false and goes back to sleep; then set() sets the flag and notifies nobody. The waiter sleeps forever next to an
// open gate. A notify means "the state may have changed": it must come AFTER the change. The explorer runs the
// schedule where the woken waiter wins the mutex (EventTest.WaiterWakesWhenTheSetterSets,
// EventTest.SetWakesEveryWaiter). The fix: lock, set, notify, in that order.
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
    cv_.notify_all();  // BUG: before the state changes; a waiter woken now finds it unchanged and sleeps again
    sync::lock_guard lock(mu_);
    set_ = true;
  }

  void wait() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return set_; });
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
