// Drill 08.12: writer-priority-rwlock (readers-writers with writer priority, from Allen Downey's The Little Book
// of Semaphores). Lesson: modules/08-interview/07-santa-and-writer-priority.md.   Try it timed: ./conclab drill 08.12
//
// Write lab::WriterPriorityLock, a reader-writer lock that prefers writers:
//
//   - lock() / unlock(): exclusive. While a writer holds the lock, nobody else does.
//   - lock_shared() / unlock_shared(): shared. Any number of readers together, never with a writer.
//     (So std::unique_lock, std::lock_guard and std::shared_lock work with it.)
//   - Writer priority: once a writer WAITS, no reader that arrives from then on gets in until no writer holds
//     the lock or waits for it. The readers already inside finish; the writer waits for them. When a writer
//     unlocks and both writers and readers wait, the writers go first.
//   (Lab 03.05 asked for phase fairness instead; here writers come first, and readers may starve.)
//
// arrived(role): call it exactly once per lock() and lock_shared(): a writer once it is registered (from then
// on, new readers must queue behind it), a reader when it asks to get in, in both cases before waiting for the
// threads inside. The tests use it to know who arrived first: they wait for a writer's arrival, then start a
// reader, and count who got in first. The starter calls it in a place that works for a mutex-based lock: keep it
// there, or move it to where your design registers.
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::mutex is std::mutex...), instrumented in the sim build

enum class Role { reader, writer };

class WriterPriorityLock {
 public:
  using ArrivalHook = std::function<void(Role)>;  // for tests: told about each arrival (see above)

  WriterPriorityLock() = default;
  explicit WriterPriorityLock(ArrivalHook onArrival) : on_arrival_(std::move(onArrival)) {}
  WriterPriorityLock(const WriterPriorityLock&) = delete;
  WriterPriorityLock& operator=(const WriterPriorityLock&) = delete;

  void lock() {
    sync::unique_lock lk(mu_);
    arrived(Role::writer);
    // TODO(lab): register this writer as waiting, so that readers arriving from now on stay out; wait (with a
    // predicate) until no writer and no reader holds the lock; take it, and stop counting yourself as waiting.
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    // TODO(lab): give the lock back and wake whoever may go now (the next writer, or else every waiting reader).
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    // TODO(lab): wait while a writer holds the lock OR waits for it; then count yourself in.
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    // TODO(lab): one reader fewer; the last one out wakes a waiting writer.
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  // TODO(lab): the state mu_ guards (readers inside, a writer inside, writers waiting) and what to wait on
  // (a sync::condition_variable); or, Downey's way, two lightswitches and two sync::binary_semaphore doors.
};

}  // namespace lab
