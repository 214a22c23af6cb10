// Drill 08.12 writer-priority-rwlock, IMPROVED: a mutex, a condition variable, and a count of waiting writers
// that every arriving reader looks at.
//
// What changed from naive, and why: naive let a reader in whenever no writer HELD the lock (reader preference),
// so a writer waiting for the readers inside could wait for ever while new readers kept overlapping. Here a
// writer counts itself in writers_waiting_ the moment it arrives, BEFORE it waits, and a reader gets in only if
// no writer holds the lock AND none waits. A writer still waits for the readers already inside (it cannot throw
// them out); the last of them to leave wakes it. When a writer unlocks and both writers and readers wait, the
// readers' predicate is false while writers_waiting_ > 0: the writers go first, all of them, one at a time.
//
// Whom it starves: readers. Under a steady stream of writers (each arriving before the previous one leaves),
// writers_waiting_ never reaches 0 and no reader gets in. That is the policy, not a bug: this drill asks for it
// (writers are rare and urgent, say a configuration reload). Lab 03.05 asks for phase fairness instead, where a
// writer's unlock lets every waiting reader in before the next writer; there, this code is a wrong variant.
//
// The price: one condition variable for everybody and notify_all on every change, so each unlock wakes all
// waiters, and most go back to sleep. Fine with a few threads; the final version wakes exactly who can go.
//
// Lesson: modules/08-interview/07-santa-and-writer-priority.md ("Writer priority with a condition variable").
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reader, writer };

// WriterPriorityLock: a reader-writer lock that prefers writers. lock()/unlock(): exclusive (one writer, no
// reader); lock_shared()/unlock_shared(): shared (any number of readers, no writer). Works with std::unique_lock,
// std::lock_guard and std::shared_lock. Not recursive.
// Priority: once a writer waits, no reader that arrives from then on gets in until no writer holds the lock or
// waits for it; readers already inside finish first. Readers can starve under a stream of writers.
// The arrival hook (tests): called once per lock()/lock_shared(), with mu_ held, where the caller registers.
class WriterPriorityLock {
 public:
  using ArrivalHook = std::function<void(Role)>;

  WriterPriorityLock() = default;
  explicit WriterPriorityLock(ArrivalHook onArrival) : on_arrival_(std::move(onArrival)) {}
  WriterPriorityLock(const WriterPriorityLock&) = delete;
  WriterPriorityLock& operator=(const WriterPriorityLock&) = delete;

  void lock() {
    sync::unique_lock lk(mu_);
    arrived(Role::writer);
    ++writers_waiting_;  // from now on, arriving readers wait behind this writer
    cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });
    --writers_waiting_;
    writer_ = true;
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    writer_ = false;
    cv_.notify_all();  // the next writer if one waits (readers find writers_waiting_ > 0); else every reader
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    cv_.wait(lk, [&] { return !writer_ && writers_waiting_ == 0; });
    ++readers_;
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    if (--readers_ == 0) cv_.notify_all();  // a waiting writer may go
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  int readers_ = 0;              // guarded by mu_: readers holding the lock
  bool writer_ = false;          // guarded by mu_: a writer holds the lock
  int writers_waiting_ = 0;      // guarded by mu_: writers inside lock(), not yet holding
  sync::condition_variable cv_;  // waited on with mu_ by readers and writers alike
};

}  // namespace lab
