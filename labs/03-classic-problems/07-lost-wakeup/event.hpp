// Lab 03.07: lost-wakeup. A one-shot Event that any number of threads wait for.
// Lesson: modules/03-classic-problems/07-lost-wakeups.md.   Check: ./conclab check 03.07
//
// Make lab::Event a gate that starts closed and that set() opens for good:
//
//   - set(), wait() and is_set() may be called from any number of threads at once; set() may be called more
//     than once (the later calls change nothing).
//   - wait() returns once set() has been called: at once if it already was (set() BEFORE wait() must not
//     block the waiter), and never before.
//   - one set() wakes EVERY thread waiting in wait().
//   - what the setter wrote before set() is visible to a thread after its wait() returns, or after its
//     is_set() returned true.
//   - the Event must outlive every call on it (the tests destroy it only after set() has returned).
//
// The trap is in the name: a notify that nobody is asleep to hear is simply gone. The tests run under the
// explorer, which tries every order of a setter and its waiters (and wakes waits spuriously, as the standard
// allows) and reports a waiter left asleep forever as a LOST WAKEUP, with the schedule. Make it correct with a
// mutex and a condition variable first; then try the C++20 way, one sync::atomic and its wait/notify_all.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::mutex is
// std::mutex, sync::condition_variable is std::condition_variable, sync::atomic is std::atomic. In the sim build
// they are instrumented so that the explorer can try every schedule of your threads.
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

  void set() {
    // TODO(lab): open the gate and wake every thread in wait(). Change the state first, then notify; and
    // change it so that it cannot fall between a waiter's check of the state and that waiter's sleep (under
    // the mutex the waiter checks it with, or as the atomic the waiter waits on).
  }

  void wait() {
    // TODO(lab): return once the gate is open. Look at the state BEFORE sleeping (set() may already have run,
    // and its notify is gone), and again after every wakeup (a wait may return with no notify at all).
  }

  bool is_set() const {
    // TODO(lab): whether set() has been called. Read the state the same safe way set() writes it, so that a
    // true here also makes the setter's earlier writes visible.
    return false;
  }

 private:
  // TODO(lab): the state: a bool guarded by a sync::mutex (declared right above it, `mutable` so is_set() can
  // lock it) and a sync::condition_variable; or one sync::atomic<std::uint32_t> with wait() and notify_all().
};

}  // namespace lab
