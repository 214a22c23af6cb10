// Lab 03.05 fair-rwlock, WRONG (if-not-while): lock() and lock_shared() check their condition once, with `if`,
// and wait without a predicate.
//
// Why it looks right: a thread waits only when it cannot go, and it is woken only by an unlock, after which it
// can go; every test on real threads passes nearly always. Why it is wrong: a wait may end with nothing
// changed (a spurious wakeup, which the standard allows), and a notify_all wakes every waiter although only
// some of them can go (the second writer, woken by the first writer's unlock that let the readers in). After
// such a wakeup the writer takes the lock while readers hold it, or the reader walks in uncounted while a
// writer is inside. The explorer tries a spurious wakeup at every wait and reports the broken exclusion, every
// run (RwLockTest.TwoWritersAreNeverInsideTogether, RwLockTest.AReaderNeverGetsInWithAWriter and the others).
// The fix: `cv_.wait(lk, [&] { return ...; });`, which re-checks after every wakeup.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reader, writer };

// RwLock: a phase-fair reader-writer lock. lock()/unlock(): exclusive (one writer, no reader);
// lock_shared()/unlock_shared(): shared (any number of readers, no writer). Works with sync::unique_lock,
// sync::lock_guard and sync::shared_lock. Not recursive.
// Fairness: a reader arriving while a writer holds or waits gets in after that writer; a writer's unlock()
// lets in every reader waiting at that moment before any other writer.
// The arrival hook (tests): called once per lock()/lock_shared(), with mu_ held, where the caller registers.
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
    ++writers_waiting_;  // arriving readers now queue behind this writer
    if (writer_ || readers_ > 0) cv_.wait(lk);  // BUG: not re-checked after the wakeup
    --writers_waiting_;
    writer_ = true;
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    writer_ = false;
    if (readers_waiting_ > 0) {  // the readers who waited for this writer go in now, all of them
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
    ++readers_waiting_;  // unlock() of the writer ahead of us admits us (and counts us in readers_)
    const std::uint64_t phase = read_phase_;
    if (read_phase_ == phase) cv_.wait(lk);  // BUG: not re-checked after the wakeup
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    --readers_;
    if (readers_ == 0) cv_.notify_all();  // a waiting writer may go
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  int readers_ = 0;               // guarded by mu_: readers holding the lock (including admitted ones)
  bool writer_ = false;           // guarded by mu_: a writer holds the lock
  int writers_waiting_ = 0;       // guarded by mu_: writers inside lock(), not yet holding
  int readers_waiting_ = 0;       // guarded by mu_: readers waiting for a writer's unlock()
  std::uint64_t read_phase_ = 0;  // guarded by mu_: +1 each time a writer's unlock() admits the waiting readers
  sync::condition_variable cv_;   // waited on with mu_ by readers and writers alike
};

}  // namespace lab
