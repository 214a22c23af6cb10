// Lab 01.06: a counting semaphore from a mutex and a condition variable, and a Permit that uses it to
// limit how many threads are inside a section at once (lesson: modules/01-primitives/06-latch-barrier-semaphore.md).
// Every change point is marked TODO(lab).
//
// Besides the ordinary tests (run on real threads, and again under ThreadSanitizer), a few tests run under the
// course's explorer: it runs two or three threads on every schedule their steps allow (up to a bound), with
// spurious wakeups, so a permit taken twice, or an acquire() that sleeps through its release(), is found on
// every run, and the failing schedule is printed step by step (`./conclab explore 01.06` shows them).
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex is std::mutex, sync::condition_variable is std::condition_variable, and so on. The one
// difference is in the sim build, where they are instrumented so that the explorer can try every schedule.
#pragma once

#include <cstddef>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// Semaphore: a counter of permits.
//
//   lab::Semaphore connections(4);          // at most 4 users at once
//   {
//     lab::Permit p(connections);           // blocks while 4 are already inside
//     talk_to_the_database();
//   }                                       // the permit goes back, even if the code above threw
//
// Contract:
//   - Semaphore(n) starts with n >= 0 permits (a negative n throws std::invalid_argument).
//   - acquire() takes one permit; while there is none it blocks until a release() gives one back.
//   - try_acquire() takes one permit and returns true if one is available right now; otherwise it returns
//     false at once, changing nothing. It never blocks.
//   - release(n) gives back n >= 0 permits (a negative n throws std::invalid_argument), so that up to n
//     blocked acquire()s can go on. A release needs no matching acquire (a semaphore is not a mutex).
//   - Happens-before: everything a thread did before release() is visible to the thread whose acquire() or
//     try_acquire() then takes a permit.
//   - All methods may be called from any thread, concurrently. available() returns a snapshot of the number
//     of free permits, for tests and diagnostics.
//   - Lifetime: a thread whose acquire() has returned may destroy the semaphore at once, even while the
//     release() that let it through has not returned yet (a semaphore on the waiter's stack, used as a
//     one-shot "done" signal). So release() must not touch the semaphore after a waiter can get through.
class Semaphore {
 public:
  explicit Semaphore(std::ptrdiff_t initial) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: the initial count must not be negative");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() {
    sync::unique_lock lock(mu_);
    // TODO(lab): while there is no permit, wait on a condition variable (re-check after every wakeup:
    //            a wait may end with no release at all), instead of giving up here.
    if (count_ == 0) {
      throw std::logic_error("acquire() with no permit left is not implemented yet: it must wait for a release() "
                             "(see the TODO(lab) in semaphore.hpp)");
    }
    --count_;
  }

  bool try_acquire() {
    sync::lock_guard lock(mu_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }

  void release(std::ptrdiff_t n = 1) {
    if (n < 0) throw std::invalid_argument("Semaphore: release() of a negative number of permits");
    sync::lock_guard lock(mu_);
    count_ += n;
    // TODO(lab): wake the threads blocked in acquire() that can now take a permit (how many may go on?).
    //            Notify here, while you still hold the lock: a waiter may destroy the semaphore as soon as
    //            its acquire() returns (a semaphore on its stack, used as a "done" signal), and a notify
    //            after the unlock could then touch a condition variable that no longer exists.
  }

  std::ptrdiff_t available() const {
    sync::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable sync::mutex mu_;
  std::ptrdiff_t count_;  // guarded by mu_: free permits
  // TODO(lab): a sync::condition_variable for acquire() to wait on.
};

// Permit: holds one permit of a Semaphore for its lifetime (acquire() in the constructor, release() in the
// destructor), so the permit goes back on every path out of the scope, exceptions included.
class Permit {
 public:
  explicit Permit(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  ~Permit() {
    // TODO(lab): give the permit back.
  }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  Semaphore& semaphore_;
};

}  // namespace lab
