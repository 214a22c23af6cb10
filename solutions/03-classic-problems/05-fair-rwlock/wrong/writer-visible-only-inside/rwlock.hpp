// Lab 03.05 fair-rwlock, WRONG (writer-visible-only-inside): readers wait for writers, but a writer makes
// itself known only once it has the lock: lock() waits first, and sets its flag after.
//
// Why it looks right: the reader's check `!writer_ && writers_waiting_ == 0` is there, and writer_ is set in
// lock() as before; counting the writer as waiting seemed redundant when it sets writer_ anyway a moment
// later. Why it is wrong: that moment is the whole wait. While the writer waits for the readers to leave, it
// is invisible: writers_waiting_ is 0 and writer_ is false, so every arriving reader walks in, and while they
// keep overlapping the writer never gets in: reader preference again, the naive version's writer starvation.
// RwLockFairnessTest.AWriterWaitingForReadersGoesBeforeALaterReader fails on every run: the later reader gets in
// first. The fix: register before you wait (`++writers_waiting_;` before the wait, `--writers_waiting_;` after),
// so that a reader arriving while you wait sees you.
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
    cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });  // BUG: while it waits here, no reader knows
    writer_ = true;  // the first sign of this writer, once it is already inside
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
    cv_.wait(lk, [&] { return read_phase_ != phase; });
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
  int writers_waiting_ = 0;       // guarded by mu_: never raised any more (see lock())
  int readers_waiting_ = 0;       // guarded by mu_: readers waiting for a writer's unlock()
  std::uint64_t read_phase_ = 0;  // guarded by mu_: +1 each time a writer's unlock() admits the waiting readers
  sync::condition_variable cv_;   // waited on with mu_ by readers and writers alike
};

}  // namespace lab
