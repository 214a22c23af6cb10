// Lab 03.07 lost-wakeup, WRONG (flag-outside-the-mutex): the flag is a sync::atomic<bool>, so set() stores it and
// notifies without taking the mutex; wait() is a correct predicate wait.
//
// Why it looks right: the flag is atomic, so there is no data race (ThreadSanitizer is quiet); the waiter uses
// a predicate, so a set() before wait() is seen; the mutex seems to exist only because the condition variable
// wants one. Why it is wrong: the predicate check and the sleep are one step only for a thread that needs the
// mutex to change the flag. Here the setter does not: the waiter locks, reads false, and before it sleeps the
// setter stores true and notifies nobody; then the waiter sleeps, forever. A lost wakeup WITH a predicate. The
// explorer finds it with one preemption (EventTest.WaiterWakesWhenTheSetterSets, EventTest.SetWakesEveryWaiter).
// The fix: change the flag while holding the mutex (then a plain bool is enough).
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
    set_.store(true);  // BUG: not under mu_, so it can land between a waiter's check and its sleep
    cv_.notify_all();
  }

  void wait() {
    sync::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return set_.load(); });
  }

  bool is_set() const { return set_.load(); }

 private:
  sync::mutex mu_;
  sync::atomic<bool> set_{false};
  sync::condition_variable cv_;
};

}  // namespace lab
