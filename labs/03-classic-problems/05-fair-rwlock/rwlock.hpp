// Lab 03.05: a reader-writer lock that starves nobody.
// Lesson: modules/03-classic-problems/05-starvation-and-fairness.md.   Check: ./conclab check 03.05
//
// Make lab::RwLock a reader-writer lock with a PHASE-FAIR policy:
//
//   - lock() / unlock(): exclusive access. While a writer holds the lock, nobody else does.
//   - lock_shared() / unlock_shared(): shared access. Any number of readers may hold it together, but never
//     while a writer does. (So sync::unique_lock, sync::lock_guard and sync::shared_lock work with it.)
//   - No writer starvation: a reader that arrives while a writer HOLDS the lock or WAITS for it does not get
//     in before that writer. (Letting readers in whenever no writer is inside starves writers: while readers
//     keep overlapping, the count never reaches zero.)
//   - No reader starvation: when a writer unlocks, EVERY reader waiting at that moment gets in, together,
//     before any other writer. (Letting waiting writers go first starves readers under a stream of writers.)
//   Readers and writers take turns, a phase each: that is phase fairness (Brandenburg and Anderson, 2009).
//
// "Arrives" needs a precise moment, because the tests check who got in first by COUNTING, never by timing.
// That moment is the call to arrived(): every lock() and lock_shared() must call it exactly once, while
// holding mu_, in the critical section where it registers itself (counts itself as waiting, or takes the
// lock). A test waits until, say, a writer has arrived, and only then starts a reader: since both calls
// take mu_, the lock sees them in that order, and the test knows what your policy must do. The starter
// already calls it in the right place: keep it there.
//
// The graded run also builds the tests with ThreadSanitizer, and runs the small ones under the explorer
// (conclab::sim), which tries every schedule of their threads, spurious wakeups included, and reports a
// thread left asleep (a lost wakeup) as a failure with the schedule that caused it.
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex...), instrumented in the sim build

enum class Role { reader, writer };

class RwLock {
 public:
  using ArrivalHook = std::function<void(Role)>;  // for tests: told about each arrival (see above)

  RwLock() = default;
  explicit RwLock(ArrivalHook on_arrival) : on_arrival_(std::move(on_arrival)) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() {
    sync::unique_lock lk(mu_);
    arrived(Role::writer);
    // TODO(lab): register this writer, so that readers arriving from now on queue behind it; wait (on a
    // sync::condition_variable, with a predicate: wakeups can be spurious) until no writer and no reader
    // holds the lock; then take it.
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    // TODO(lab): give the lock back. If readers are waiting, this is the end of a writer phase: let ALL of
    // them in now, before any other writer (deciding it here, under mu_, not leaving it to whoever wakes
    // first). Otherwise let the next waiting writer go. Wake whoever can go.
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    // TODO(lab): if no writer holds the lock or waits for it, get in now. Otherwise wait until the writer
    // phase ahead of you is over (until an unlock() has let you in).
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    // TODO(lab): one reader fewer. The last reader out must wake a waiting writer.
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  // TODO(lab): the state mu_ guards: how many readers hold the lock, whether a writer does, who is waiting
  // (and, for the readers, which writer phase they wait for), and the condition variable(s) to wait on.
};

}  // namespace lab
