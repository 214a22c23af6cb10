// Lab 03.05 fair-rwlock, FINAL: phase-fair, with one condition variable for readers and one for writers.
//
// What changed from improved, and why: the policy is the same (phase fairness, decided under mu_ and handed
// over in unlock()), but improved woke EVERY waiter on every state change with one condition variable and
// notify_all: a writer's unlock() that lets three readers in also woke the two writers that cannot go yet,
// and each of them took mu_ only to find its predicate false and sleep again (a thundering herd: wasted
// context switches and mu_ traffic exactly when the lock is busiest). Here readers and writers wait on
// separate condition variables, and each change wakes only those who can go:
//   - unlock() of a writer with readers waiting admits them all (counts them in readers_) and wakes the
//     readers' condition variable, all of them: every one of them goes in, that is the reader phase;
//   - unlock() with no reader waiting wakes ONE writer (only one can go);
//   - the last unlock_shared() of a phase wakes one writer; readers never need waking there (nobody waits
//     for readers to leave except writers).
// Two condition variables are safe only because each has one kind of waiter, and every notify names the one
// where the thread that can now go is waiting (the wrong variant unlock-shared-wakes-readers notifies the
// readers' one when a reader leaves: the writer waiting on the other sleeps for ever).
//
// What an expert would still do differently in production: a lock this contended wants an atomic fast path
// (an uncontended lock_shared() that is one fetch_add, as Brandenburg and Anderson's PF-T and PF-Q locks do:
// ticket counters for the phases, spinning instead of sleeping), writers served in arrival order (here a
// writer that arrives just as the lock comes free may go before one that waited; phase fairness is about
// readers against writers, not writers among themselves), and above all a measurement first: a reader-writer
// lock only pays off for long read sections (lesson 01.02), and for short ones a plain mutex, sharding, or
// read-copy-update beats every rwlock.
//
// Lesson: modules/03-classic-problems/05-starvation-and-fairness.md ("Phase fairness").
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives, instrumented in the sim build

enum class Role { reader, writer };

// RwLock: a reader-writer lock with a phase-fair policy. lock()/unlock() take and give back exclusive access
// (one writer, no reader), lock_shared()/unlock_shared() shared access (any number of readers, no writer); so
// sync::unique_lock, sync::lock_guard and sync::shared_lock work with it. Unlocking happens-before the next
// holder's lock returns, as for a mutex. Not recursive: a thread that holds it in any mode must not lock it
// again.
//
// Fairness, in terms of arrivals (the moment a call reports itself through the hook, under mu_):
//   - a reader that arrives while a writer holds the lock or waits for it does not get in before that writer
//     has had its turn (writers are not starved by a stream of readers);
//   - when a writer unlocks, every reader waiting at that moment gets in, together, before any other writer
//     (readers are not starved by a stream of writers): reader and writer phases alternate.
//
// The arrival hook is for tests: when set, every lock() and lock_shared() calls it exactly once, with mu_
// held, in the critical section that registers the caller (so any call that takes mu_ later sees it waiting
// or holding). It must not call back into the lock.
class RwLock {
 public:
  using ArrivalHook = std::function<void(Role)>;

  RwLock() = default;
  explicit RwLock(ArrivalHook on_arrival) : on_arrival_(std::move(on_arrival)) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() {
    sync::unique_lock lk(mu_);
    arrived(Role::writer);
    ++writers_waiting_;  // from here on, arriving readers queue behind this writer
    writers_cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });
    --writers_waiting_;
    writer_ = true;
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    writer_ = false;
    if (readers_waiting_ > 0) {
      // The end of a writer phase: every reader that waited goes in now, counted here, so that a writer
      // woken later (or arriving) already sees them as holders and waits for this reader phase to end.
      readers_ += readers_waiting_;
      readers_waiting_ = 0;
      ++read_phase_;
      readers_cv_.notify_all();  // all of them: each one was admitted
    } else if (writers_waiting_ > 0) {
      writers_cv_.notify_one();  // no reader is owed a turn: the next writer
    }
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    if (!writer_ && writers_waiting_ == 0) {
      ++readers_;  // a reader phase with nobody waiting to write: join it
      return;
    }
    // A writer holds the lock or waits for it: wait for the end of the next writer phase, whose unlock()
    // admits (and counts) this reader.
    ++readers_waiting_;
    const std::uint64_t phase = read_phase_;
    readers_cv_.wait(lk, [&] { return read_phase_ != phase; });
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    --readers_;
    if (readers_ == 0 && writers_waiting_ > 0) writers_cv_.notify_one();  // the reader phase is over
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  int readers_ = 0;                 // guarded by mu_: readers holding the lock (including admitted ones)
  bool writer_ = false;             // guarded by mu_: a writer holds the lock
  int writers_waiting_ = 0;         // guarded by mu_: writers inside lock(), not yet holding
  int readers_waiting_ = 0;         // guarded by mu_: readers waiting for the current writer phase to end
  std::uint64_t read_phase_ = 0;    // guarded by mu_: +1 each time a writer's unlock() admits the waiting readers
  sync::condition_variable readers_cv_;  // waited on with mu_: "read_phase_ moved on"
  sync::condition_variable writers_cv_;  // waited on with mu_: "no writer and no reader holds it"
};

}  // namespace lab
