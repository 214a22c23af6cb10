// Lab 03.05 fair-rwlock, IMPROVED: phase-fair. A waiting writer stops new readers, and a writer's unlock()
// lets in every reader that waited, before the next writer.
//
// What changed from naive, and why: naive let a reader in whenever no writer HELD the lock, so a writer
// waiting for the readers to leave could wait forever while new readers kept overlapping (writer
// starvation). The obvious fix, writer preference (an arriving reader waits while any writer waits, and on
// unlock() waiting writers go first), starves readers instead under a stream of writers: a reader that
// waited behind writer 1 is overtaken by writer 2, 3, ... (the wrong variant writer-preference). Phase
// fairness alternates: a reader arriving while a writer holds or waits queues behind that writer; when the
// writer unlocks, ALL readers waiting at that moment go in together (a reader phase), and new readers
// queue behind the next waiting writer. Each side waits for at most one phase of the other (Brandenburg and
// Anderson, 2009).
//
// The decision is made in unlock(), under mu_, and handed over: unlock() counts the waiting readers into
// readers_ itself and moves read_phase_ on. Leaving it to whoever wakes first (notify_all and let the
// readers and the writer race for mu_) would make the order depend on the scheduler, which is exactly what
// a fairness policy must not do.
//
// The price: one condition variable for everybody and notify_all on every change, so each unlock wakes
// every waiter, most of whom find their predicate false and sleep again. The final version gives readers
// and writers a condition variable each and wakes only those who can go.
//
// Lesson: modules/03-classic-problems/05-starvation-and-fairness.md ("Phase fairness").
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
