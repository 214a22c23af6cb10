// Drill 08.12 writer-priority-rwlock, WRONG (writer-in-with-readers): a writer waits only for other writers.
//
// Why it looks right: writer priority, taken literally: "the writer goes first". New readers are kept out
// correctly, but a writer must still wait for the readers ALREADY inside to leave; this one walks in on them, and
// they read the data while it is half written.
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
    cv_.wait(lk, [&] { return !writer_; });  // BUG: the readers inside are not waited for
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
