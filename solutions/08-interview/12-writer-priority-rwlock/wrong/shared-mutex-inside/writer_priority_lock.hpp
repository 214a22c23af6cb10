// Drill 08.12 writer-priority-rwlock, WRONG (shared-mutex-inside): wraps sync::shared_mutex (std::shared_mutex).
//
// Why it looks right: experts wrote std::shared_mutex, and it has exactly these four functions. But the standard
// promises no policy at all, and libstdc++ builds it on glibc's pthread_rwlock_t, whose default kind prefers
// READERS (lab 03.05's lesson): a reader arriving while a writer waits gets in, and a stream of readers keeps the
// writer out. glibc has a writer-preferring kind (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), but
// std::shared_mutex does not let you choose it.
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
    arrived(Role::writer);
    rw_.lock();  // BUG: whatever policy the library has (glibc: readers first)
  }
  void unlock() { rw_.unlock(); }
  void lock_shared() {
    arrived(Role::reader);
    rw_.lock_shared();
  }
  void unlock_shared() { rw_.unlock_shared(); }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::shared_mutex rw_;
};

}  // namespace lab
