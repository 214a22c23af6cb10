// Lab 03.05 fair-rwlock, WRONG (waiting-writer-never-cleared): a writer counts itself as waiting before it
// waits, and forgets to take that back once it gets in.
//
// Why it looks right: the increment is where it belongs (before the wait, so arriving readers see the writer),
// and every test where each writer waits once and readers came earlier still passes. Why it is wrong: after
// the first writer has come and gone, writers_waiting_ is still 1, so the lock believes a writer is waiting
// for ever: every reader that arrives from then on queues behind a writer who does not exist, and no unlock()
// will come to let it in. One thread alone can show it: lock(), unlock(), lock_shared() blocks forever.
// The explorer reports the thread left waiting (RwLockTest.OneThreadTakesItInEveryModeInTurn and every test
// where a reader comes after a writer). The fix: `--writers_waiting_;` right after the wait, before taking the
// lock: a writer that got in is no longer waiting.
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
    cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });
    writer_ = true;  // BUG: still counted in writers_waiting_, now and for ever
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
  int writers_waiting_ = 0;       // guarded by mu_: writers inside lock(), not yet holding
  int readers_waiting_ = 0;       // guarded by mu_: readers waiting for a writer's unlock()
  std::uint64_t read_phase_ = 0;  // guarded by mu_: +1 each time a writer's unlock() admits the waiting readers
  sync::condition_variable cv_;   // waited on with mu_ by readers and writers alike
};

}  // namespace lab
