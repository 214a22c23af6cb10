// Lab 03.07 lost-wakeup, FINAL: one sync::atomic<std::uint32_t> with C++20 wait/notify_all. No mutex.
//
// What changed from improved, and why: the state is an atomic word, and wait() blocks on the word itself with
// atomic::wait(kUnset), which compares and sleeps as one step. That is the whole lost-wakeup question again,
// answered by the standard instead of by a mutex: [atomics.wait] says a wait that blocked after reading a value
// is woken by a notify that comes after a LATER store to the same atomic (a store that follows the value read in
// the atomic's modification order and happens before the notify). set() stores kSet, then notifies; a waiter
// either read kSet (and never blocks), or read kUnset and blocked before the notify, which then wakes it. There is
// no gap for a notify to fall into. (On Linux libstdc++ builds it on a futex: the kernel re-checks the word
// under its own lock before it puts the thread to sleep.)
//
// Gains: wait() and is_set() on a set event are one acquire load, no lock, no shared cache line written by
// readers; many threads polling is_set() or calling wait() after the fact no longer queue on a mutex
// (./conclab bench 03.07). Why uint32_t and not bool: Linux's futex waits on a 32-bit word; libstdc++ waits on
// a 4-byte atomic directly and on a bool through a table of proxy words it shares between addresses.
//
// Orders, with their pairs:
//   - set(): store(kSet, release) pairs with the acquire loads in wait() (atomic::wait's own load) and is_set():
//     the waiter that reads kSet synchronises with set(), so the setter's earlier writes are visible to it.
//   - The first set() is the one that notifies: exchange tells it so later calls skip the wake. A later set()
//     that finds kSet adds nothing to publish, and waiters already synchronise with the first set()'s store.
// No loop around wait(): atomic::wait returns only once the value differs from its argument (it re-checks after
// every wakeup itself), and a one-shot event never goes back to kUnset. An event with reset() would need one.
//
// What an expert would still do differently in production:
//   - a timed wait: atomic::wait has no timeout in C++20. A wait_for() needs a condition variable (improved's
//     shape, cv_.wait_for with a predicate) or the platform's futex/WaitOnAddress with a deadline.
//   - lifetimes: notify_all() runs after the store, so a waiter that saw kSet may return and destroy the Event
//     while set() is still inside notify_all() (P2616, "Making std::atomic notification/wait operations usable
//     in more situations", describes exactly this). Hence the contract: the Event outlives set().
//   - often nothing of this at all: std::latch(1) is this Event (count_down() is set(), wait() is wait()).
//
// Lesson: modules/03-classic-problems/07-lost-wakeups.md ("atomic::wait: the comparison is the check").
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Event: a one-shot gate. Starts unset; set() opens it for good.
//   - set(), wait() and is_set() may be called from any number of threads at once; set() may be called
//     more than once (the later calls change nothing). All three are lock-free.
//   - wait() returns once set() has been called: at once if it already was, never before.
//   - every waiter wakes: one set() releases all threads in wait().
//   - happens-before: what the setter did before set() is visible to a thread after its wait() returns, or
//     after its is_set() returned true (release store in set(), acquire loads in wait() and is_set()).
//   - the Event must outlive every call on it (destroy it only after set() has returned).
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() noexcept {
    // release: publishes the setter's earlier writes; pairs with the acquire loads in wait() and is_set().
    // exchange, not store: only the call that changed the word has waiters to wake.
    if (state_.exchange(kSet, std::memory_order_release) == kUnset) state_.notify_all();
  }

  void wait() const noexcept {
    // acquire: pairs with the release exchange in set(). Blocks only while the word is still kUnset, and the
    // comparison and the sleep are one step for set()'s notify ([atomics.wait]); returns once it reads kSet.
    state_.wait(kUnset, std::memory_order_acquire);
  }

  bool is_set() const noexcept {
    return state_.load(std::memory_order_acquire) == kSet;  // acquire: pairs with the release exchange in set()
  }

 private:
  static constexpr std::uint32_t kUnset = 0;
  static constexpr std::uint32_t kSet = 1;
  sync::atomic<std::uint32_t> state_{kUnset};
  static_assert(sync::atomic<std::uint32_t>::is_always_lock_free, "the event should not hide a lock");
};

}  // namespace lab
