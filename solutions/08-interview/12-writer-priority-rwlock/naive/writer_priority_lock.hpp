// Drill 08.12 writer-priority-rwlock, NAIVE: reader preference, the reader-writer lock everybody writes first.
//
// The mistake, and why it looks right: a reader waits only while a writer HOLDS the lock, and a writer waits
// until nobody is inside. Mutual exclusion is right, readers share, and every test of exclusion passes. But a
// waiting writer is invisible to readers: a reader arriving while the writer waits walks straight in, next to
// the readers already inside, and while readers keep overlapping the count never reaches zero and the writer
// never gets in. That is the opposite of what the drill asks (writer priority), and it is also what
// std::shared_mutex does on Linux: libstdc++ builds it on glibc's pthread_rwlock_t, whose default kind prefers
// readers (lab 03.05's lesson). The tests catch it by counting who got in first, on every run.
//
// Lesson: modules/08-interview/07-santa-and-writer-priority.md ("Three policies, one moment").
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reader, writer };

// WriterPriorityLock (naive: it prefers readers). lock()/unlock(): exclusive; lock_shared()/unlock_shared():
// shared. The arrival hook (tests): called once per lock()/lock_shared(), with mu_ held, where the caller
// registers.
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
    cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });  // invisible to readers while it waits
    writer_ = true;
  }

  void unlock() {
    sync::lock_guard lk(mu_);
    writer_ = false;
    cv_.notify_all();
  }

  void lock_shared() {
    sync::unique_lock lk(mu_);
    arrived(Role::reader);
    cv_.wait(lk, [&] { return !writer_; });  // the mistake: a WAITING writer does not stop a new reader
    ++readers_;
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    if (--readers_ == 0) cv_.notify_all();
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;  // set once, before any thread uses the lock

  sync::mutex mu_;
  int readers_ = 0;              // guarded by mu_: readers holding the lock
  bool writer_ = false;          // guarded by mu_: a writer holds the lock
  sync::condition_variable cv_;  // waited on with mu_ by readers and writers alike
};

}  // namespace lab
