// Lab 03.07 lost-wakeup, WRONG (notify-one): set() changes the flag under the mutex and calls notify_one().
//
// Why it looks right: it passes every test with one waiter, which is how events are usually tried out, and
// notify_one "is cheaper". Why it is wrong: an event releases EVERY waiter, and notify_one wakes one of them. With
// two threads asleep in wait(), set() wakes one; the other sleeps forever next to an open gate (nothing will ever
// notify again: set() is one-shot). The explorer runs the schedule where both waiters sleep before set()
// (EventTest.SetWakesEveryWaiter). The fix: notify_all(). notify_one is for a change that exactly one waiter can
// use (one item in a queue, one permit), not for a gate.
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
    cv_.notify_one();  // BUG: wakes one waiter; any other waiter already asleep is never woken
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
