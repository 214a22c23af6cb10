// Lab 01.01: a counter that many threads increment at once.
// Lessons: modules/01-primitives/01-mutexes-and-locks.md (a mutex), then
//          modules/01-primitives/04-atomics-basics.md (an atomic).   Check: ./conclab check 01.01
//
// Make lab::Counter count every increment() exactly once, however many threads call it together.
//
//   - increment() and value() may be called from any number of threads at the same time.
//   - After the threads that called increment() have been joined, value() returns exactly how many
//     times increment() was called.
//   - While other threads are still incrementing, value() returns some count that was true at one
//     moment: never more than the number of increments so far, never less than a value read earlier.
//
// `++count_` on a plain integer is a load, an add and a store. Two threads can load the same old value
// and both store old + 1: one increment is lost (lesson 01 draws it). The graded run also builds the
// tests with ThreadSanitizer, which reports the data race even in a run where no increment was lost, and
// runs one test under the explorer, which tries every interleaving of two increments.
// Make it correct first (a mutex), then make it fast (an atomic): `./conclab bench 01.01`.
//
// The course's primitives are std's, under the names conclab::sync gives them (conclab/sync.hpp):
// sync::mutex is std::mutex, sync::atomic is std::atomic, and so on. The one difference is in the sim
// build, where they are instrumented so that the explorer can try every schedule of your threads.
#pragma once

#include <cstdint>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

class Counter {
 public:
  void increment() {
    // TODO(lab): add one to the count. Many threads run this at the same time, so the read-add-write
    // must be indivisible: do it under a sync::mutex (sync::lock_guard), or make the count a
    // sync::atomic and use fetch_add.
  }

  std::int64_t value() const {
    // TODO(lab): return the count. This can run while other threads increment, so read the count the
    // same safe way you write it (under the same mutex, or with an atomic load).
    return 0;
  }

 private:
  // TODO(lab): the count, starting at 0, and the mutex that guards it (declared right above it; make
  // the mutex `mutable` so that value() const can lock it). Or one sync::atomic<std::int64_t>.
};

}  // namespace lab
