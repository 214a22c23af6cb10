// Lab 02.03: a spinlock, a lock made of one atomic.
// Lesson: modules/02-memory-model/03-memory-orders.md.   Check: ./conclab check 02.03   Speed: ./conclab bench 02.03
//
// Make lab::Spinlock a lock (the standard's Lockable: lock(), try_lock(), unlock(), so that std::lock_guard and
// std::scoped_lock work with it):
//
//   - at most one thread holds it: from a lock() (or a try_lock() that returned true) to its unlock();
//   - whatever a holder wrote before unlock() is visible to the next holder after its lock(): each critical
//     section happens-before the next (this is what acquire and release are for);
//   - try_lock() never waits: one attempt, true if it took the lock, false if the lock was held;
//   - lock() waits until it gets the lock; if it ever sleeps (C++20 atomic::wait), unlock() must wake it.
//
// The first lock everyone writes is `while (locked_) {} locked_ = true;`. It is broken twice: the check and the
// set are two steps, so two threads can both see "free" and both walk in; and a plain bool shared by threads is a
// data race. Build it from one sync::atomic and one indivisible read-modify-write (exchange). Then make it cheap:
// the right memory orders (acquire to take, release to free), spinning on a load instead of on the exchange
// (test-and-test-and-set), a pause between looks, and a sleep in atomic::wait when spinning does not pay.
//
// The sim tests run your lock under the explorer, which follows the C++ memory model rather than x86's: a missing
// acquire or release passes every test on this machine and fails there. Spin on a load (not on exchange() alone):
// the explorer tells a thread that only reads from one that makes progress, not one that writes on every turn.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp): sync::atomic
// is std::atomic; in the sim build it is the explorer's instrumented atomic.
#pragma once

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Spinlock {
 public:
  void lock() noexcept {
    // TODO(lab): wait until this thread holds the lock. Take it with ONE atomic read-modify-write (exchange) that
    // says whether it was free; while it was not, wait (spin on a load, then maybe sleep) and try again.
  }

  bool try_lock() noexcept {
    // TODO(lab): one attempt, never wait: take the lock if it is free and return true, else return false.
    return true;
  }

  void unlock() noexcept {
    // TODO(lab): free the lock, so that the next holder sees everything this one wrote (which memory order?);
    // and if waiters may sleep in atomic::wait, wake one.
  }

 private:
  // TODO(lab): the lock's state: one sync::atomic (an int or a bool), starting "free".
};

}  // namespace lab
