// Lab 03.05 fair-rwlock, WRONG (writer-preference): a waiting writer stops new readers, and when a writer
// unlocks, waiting writers go before waiting readers.
//
// Why it looks right: it fixes exactly what the naive version got wrong. A reader now waits while a writer
// holds the lock OR waits for it, so overlapping readers can no longer starve a writer, and the writer test
// (AWriterWaitingForReadersGoesBeforeALaterReader) passes. It is a real policy, with a name: writer
// preference (glibc offers it as PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP). Why it is wrong: it moves the
// starvation to the other side. A reader waiting behind writer 1 is overtaken by writer 2, which arrived
// while writer 1 held the lock, and by writer 3 after it, and so on: under a steady stream of writers, readers
// never get in. RwLockFairnessTest.AReaderWaitingForAWriterGoesBeforeTheNextWriter fails on every run: the
// second writer gets in first. The fix is phase fairness: when a writer unlocks, every reader waiting at that
// moment goes in before any other writer (decided in unlock(), under the mutex).
#pragma once

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
    --writers_waiting_;
    writer_ = true;
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    writer_ = false;
    cv_.notify_all();  // everyone re-checks; readers see writers_waiting_ > 0 and keep waiting
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    cv_.wait(lk, [&] { return !writer_ && writers_waiting_ == 0; });  // BUG: any waiting writer goes first, always
    ++readers_;
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
  sync::condition_variable cv_;   // waited on with mu_ by readers and writers alike
};

}  // namespace lab
