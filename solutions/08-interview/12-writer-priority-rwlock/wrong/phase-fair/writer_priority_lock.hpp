// Drill 08.12 writer-priority-rwlock, WRONG (phase-fair): lab 03.05's policy, handed in for this drill.
//
// Why it looks right: it is the better lock in general (nobody starves), and it passes "a reader arriving after a
// waiting writer waits". But this drill's contract is writer priority: when a writer unlocks and both readers and
// writers wait, the writers go first. Here the writer's unlock lets every waiting reader in first, a reader phase
// between two writers. Read the contract before you reach for the lock you know.
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
    if (readers_waiting_ > 0) {  // BUG (for this drill): the waiting readers go before the waiting writers
      readers_ += readers_waiting_;
      readers_waiting_ = 0;
      ++read_phase_;
    }
    cv_.notify_all();
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    if (!writer_ && writers_waiting_ == 0) {
      ++readers_;
      return;
    }
    ++readers_waiting_;
    const int phase = read_phase_;
    cv_.wait(lk, [&] { return read_phase_ != phase; });
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
  int readers_waiting_ = 0;      // guarded by mu_: readers waiting for a writer's unlock()
  int read_phase_ = 0;           // guarded by mu_: +1 each time a writer's unlock() admits the waiting readers
  sync::condition_variable cv_;  // waited on with mu_ by readers and writers alike
};

}  // namespace lab
