// Lab 03.07 lost-wakeup, IMPROVED: the state under the mutex, and a wait for the state, not for a notify.
//
// What changed from naive, and why: wait() waits for a predicate, `cv_.wait(lock, [&] { return set_; })`,
// which checks set_ under mu_ BEFORE it sleeps and again after every wakeup. Three things follow:
//   - set() before wait(): the check sees set_ == true and wait() never sleeps. The lost notify no longer
//     matters, because the state, not the notify, is the memory.
//   - no gap between the check and the sleep: wait() checks set_ holding mu_, and cv_.wait releases mu_ and
//     goes to sleep as one step; set() changes set_ only while holding mu_, so it cannot slip in between.
//     (Changing set_ outside mu_, even as an atomic, reopens the gap: lesson section "The flag outside the mutex".)
//   - a spurious wakeup re-checks set_ and sleeps again, so wait() returns only once set() has run.
// set() notifies ALL waiters: an event releases everybody, and notify_one would leave the others asleep.
// The unlock at the end of set() happens-before the lock that the woken waiter re-takes, so everything the
// setter wrote before set() is visible after wait() returns.
//
// Notify under the lock or after it? Both are correct here, because set_ changes under mu_. set() notifies
// while holding mu_: simpler to reason about (nothing touches cv_ once mu_ is free), at the price of woken
// waiters that may find mu_ still held for a moment. Notifying after the unlock saves that, and is fine as
// long as the Event outlives set() (its contract says so).
//
// The price: every wait() and is_set() takes the mutex, even long after the event was set: many threads
// asking "is it set yet?" queue on mu_ (./conclab bench 03.07). The final version makes that one load.
//
// Lesson: modules/03-classic-problems/07-lost-wakeups.md ("The fix: wait for the state").
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Event: a one-shot gate. Starts unset; set() opens it for good.
//   - set(), wait() and is_set() may be called from any number of threads at once; set() may be called
//     more than once (the later calls change nothing).
//   - wait() returns once set() has been called: at once if it already was, never before.
//   - every waiter wakes: one set() releases all threads in wait().
//   - happens-before: what the setter did before set() is visible to a thread after its wait() returns, or
//     after its is_set() returned true.
//   - the Event must outlive every call on it (destroy it only after set() has returned).
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() {
    sync::lock_guard lock(mu_);
    set_ = true;       // the state changes under mu_: no waiter can be between its check and its sleep now
    cv_.notify_all();  // every waiter: they all wait for the same thing, and all of them can use it
  }

  void wait() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return set_; });  // checks before sleeping and after every wakeup
  }

  bool is_set() const {
    sync::lock_guard lock(mu_);
    return set_;
  }

 private:
  mutable sync::mutex mu_;      // mutable: is_set() is const but must lock
  bool set_ = false;            // guarded by mu_
  sync::condition_variable cv_;  // waited on with mu_ for "set_ is true"
};

}  // namespace lab
