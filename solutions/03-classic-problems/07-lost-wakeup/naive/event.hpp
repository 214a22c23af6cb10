// Lab 03.07 lost-wakeup, NAIVE: set() notifies a condition variable, wait() waits on it. No predicate.
//
// The mistake people really make, and why it looks right: "wait() sleeps until set() wakes it" is exactly
// what a condition variable seems to be for, and set() does everything by the book: it takes the mutex,
// records the state, notifies all waiters. In a demo the waiter is always asleep first (it was started
// first, and the setter has work to do before set()), so every run wakes it.
//
// Why it is wrong: a condition variable has no memory. A notify with nobody asleep does nothing, and it is
// not kept for the next thread that waits. If set() runs before wait() (the setter was quick, or the waiter
// was descheduled), the notify is gone and wait() sleeps forever: a lost wakeup. And wait() may also return
// with no notify at all (a spurious wakeup, which the standard allows), so it can return before set().
// set_ is right there, guarded by mu_, and wait() never looks at it. The explorer runs the schedule where
// the setter goes first (EventTest.WaiterWakesWhenTheSetterSets: a lost-wakeup verdict) and the one where
// the wait wakes spuriously (the waiter reads the payload before it was written).
//
// Lesson: modules/03-classic-problems/07-lost-wakeups.md ("The notify nobody heard").
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// A one-shot event. NOT correct: a set() that comes before wait() is lost (that is the point of this version).
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
    cv_.wait(lock);  // BUG: waits for a notify, not for set_; a notify that came before this line is gone
  }

  bool is_set() const {
    sync::lock_guard lock(mu_);
    return set_;
  }

 private:
  mutable sync::mutex mu_;
  bool set_ = false;  // guarded by mu_ (and never read by wait())
  sync::condition_variable cv_;
};

}  // namespace lab
