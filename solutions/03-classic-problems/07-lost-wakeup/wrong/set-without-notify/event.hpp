// Lab 03.07 lost-wakeup, WRONG (set-without-notify): the final version's atomic, but set() only stores: "the waiter
// re-reads the value, it will see it".
//
// Why it looks right: atomic::wait is documented as "blocks until the value changes", and the value does change;
// a set() before wait() works, and so does every test where the waiter has not gone to sleep yet. Why it is wrong:
// atomic::wait does not poll. Once it has compared and found kUnset it sleeps, and only a notify_one() or
// notify_all() on the same atomic wakes it (libstdc++ spins a little first, then sleeps on a futex). A store alone
// changes the word but wakes nobody: the waiter sleeps forever with the gate open. The explorer runs the schedule
// where the waiter sleeps first and reports the lost wakeup (EventTest.WaiterWakesWhenTheSetterSets,
// EventTest.SetWakesEveryWaiter). The fix: store, then notify_all().
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() noexcept {
    state_.store(kSet, std::memory_order_release);  // release: pairs with the acquire loads below
    // BUG: no notify_all(): a waiter already asleep in state_.wait() is never woken
  }

  void wait() const noexcept {
    state_.wait(kUnset, std::memory_order_acquire);  // acquire: pairs with set()'s release store
  }

  bool is_set() const noexcept { return state_.load(std::memory_order_acquire) == kSet; }  // acquire: pairs with set()

 private:
  static constexpr std::uint32_t kUnset = 0;
  static constexpr std::uint32_t kSet = 1;
  sync::atomic<std::uint32_t> state_{kUnset};
};

}  // namespace lab
