// Lab 03.07 lost-wakeup, WRONG (relaxed-set): the final version, but set() stores with memory_order_relaxed:
// "it is one flag, and atomic::wait re-reads it anyway".
//
// Why it looks right: no wakeup is lost (atomic::wait compares and sleeps as one step whatever the order), wait()
// returns only once the flag is set, and on x86 every store is a release store in the hardware, so it never fails
// there. Why it is wrong: the order of the flag is not the order of the data. A relaxed store synchronises with
// nothing, so the waiter that reads kSet (with acquire, even) is not ordered after the setter's earlier writes:
// reading the payload after wait() is a data race, and on ARM or POWER (or after the compiler moves the plain
// write below the relaxed store) the waiter can see the old payload. The explorer follows the C++ memory model,
// not x86's, and checks the plain read by happens-before (EventTest.WaiterWakesWhenTheSetterSets,
// EventTest.SetWakesEveryWaiter, EventTest.IsSetTrueMeansTheSettersWritesAreVisible). The fix: a release store in
// set(), paired with the acquire loads in wait() and is_set().
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
    state_.store(kSet, std::memory_order_relaxed);  // BUG: publishes nothing; the acquire loads below pair with no release
    state_.notify_all();
  }

  void wait() const noexcept {
    state_.wait(kUnset, std::memory_order_acquire);  // acquire: meant to pair with set()'s store, which is relaxed
  }

  bool is_set() const noexcept { return state_.load(std::memory_order_acquire) == kSet; }  // acquire: as above

 private:
  static constexpr std::uint32_t kUnset = 0;
  static constexpr std::uint32_t kSet = 1;
  sync::atomic<std::uint32_t> state_{kUnset};
};

}  // namespace lab
