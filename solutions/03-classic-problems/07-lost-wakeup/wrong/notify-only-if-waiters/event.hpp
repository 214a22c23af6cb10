// Lab 03.07 lost-wakeup, WRONG (notify-only-if-waiters): waiters count themselves, and set() skips the mutex and
// the notify when the count says nobody waits.
//
// Why it looks right: it is a real optimisation (a set() with no waiter costs one load and one store), the count
// is an atomic (no data race), wait() is a predicate wait, and when there are waiters set() does everything by the
// book. Why it is wrong: "nobody waits" is checked, then acted on, in two steps. The setter reads the count 0; a
// waiter then locks, counts itself, checks the flag (still false) and sleeps; then the setter stores the flag
// through its fast path, which does not notify. The waiter sleeps forever: check-then-act on the waiter count,
// the same gap as a flag set outside the mutex. The explorer finds the schedule
// (EventTest.WaiterWakesWhenTheSetterSets, EventTest.SetWakesEveryWaiter). The fix: take the mutex and notify every
// time (a notify with nobody waiting is cheap); or use atomic::wait, whose library code does exactly this
// "are there waiters?" check correctly.
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
    if (waiters_.load() == 0) {  // BUG: a waiter can arrive, check set_ and sleep between this check ...
      set_.store(true);          // ... and this store, which then notifies nobody
      return;
    }
    sync::lock_guard lock(mu_);
    set_.store(true);
    cv_.notify_all();
  }

  void wait() {
    sync::unique_lock lock(mu_);
    waiters_.fetch_add(1);
    cv_.wait(lock, [&] { return set_.load(); });
    waiters_.fetch_sub(1);
  }

  bool is_set() const { return set_.load(); }

 private:
  sync::mutex mu_;
  sync::atomic<bool> set_{false};
  sync::atomic<int> waiters_{0};  // threads inside wait()
  sync::condition_variable cv_;
};

}  // namespace lab
