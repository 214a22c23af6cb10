// Lab 03.05 fair-rwlock, WRONG (shared-mutex-inside): the lock is a sync::shared_mutex (std::shared_mutex) with
// the arrival hook in front of it.
//
// Why it looks right: the standard library already has a reader-writer lock, tested by experts and faster
// than anything built from a mutex and a condition variable; every mutual-exclusion test passes. Why it is
// wrong: the standard promises nothing about fairness ([thread.sharedmutex.requirements] says which modes
// exclude which, not who goes next), and what you get on Linux with libstdc++ is glibc's pthread_rwlock_t with
// default attributes: PTHREAD_RWLOCK_PREFER_READER_NP, reader preference, the naive version's policy. A reader
// that arrives while another reader holds the lock gets in even though a writer is waiting:
// RwLockFairnessTest.AWriterWaitingForReadersGoesBeforeALaterReader fails on every run, in every build (the
// explorer's shared_mutex also lets readers in while a writer waits). And when a writer unlocks, who goes next
// is up to whoever the kernel wakes first: the explorer finds the schedule where the second writer overtakes
// the waiting reader. A lock with a fairness policy has to make the decision itself.
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
    {
      sync::lock_guard lk(mu_);
      arrived(Role::writer);
    }
    rw_.lock();  // BUG: whatever policy the library's shared_mutex has (glibc: readers first)
  }

  void unlock() { rw_.unlock(); }

  void lock_shared() {
    {
      sync::lock_guard lk(mu_);
      arrived(Role::reader);
    }
    rw_.lock_shared();
  }

  void unlock_shared() { rw_.unlock_shared(); }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;           // only orders the arrivals the hook reports
  sync::shared_mutex rw_;    // the lock itself
};

}  // namespace lab
