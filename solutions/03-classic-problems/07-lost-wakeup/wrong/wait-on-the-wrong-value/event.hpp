// Lab 03.07 lost-wakeup, WRONG (wait-on-the-wrong-value): the final version's atomic, but wait() calls
// `state_.wait(kSet)`: "wait for it to be set".
//
// Why it looks right: it reads like English, wait(true) = "wait until true", and it compiles. Why it is wrong:
// atomic::wait(old) blocks while the value EQUALS `old` and returns as soon as it differs. wait(kSet) therefore
// returns at once while the event is unset (the value, kUnset, differs from kSet), and would block forever once it
// is set, the exact opposite. The waiter goes on before set(), and reads data that was not written yet. The explorer
// runs the waiter first (EventTest.WaiterWakesWhenTheSetterSets, EventTest.SetWakesEveryWaiter). The fix: pass the
// value you saw and are waiting to move AWAY from, `state_.wait(kUnset, std::memory_order_acquire);`.
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
    state_.notify_all();
  }

  void wait() const noexcept {
    state_.wait(kSet, std::memory_order_acquire);  // BUG: blocks while the value IS kSet; returns at once while unset
  }

  bool is_set() const noexcept { return state_.load(std::memory_order_acquire) == kSet; }  // acquire: pairs with set()

 private:
  static constexpr std::uint32_t kUnset = 0;
  static constexpr std::uint32_t kSet = 1;
  sync::atomic<std::uint32_t> state_{kUnset};
};

}  // namespace lab
