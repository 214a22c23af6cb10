// Lab 03.05 fair-rwlock, NAIVE: reader preference. A reader gets in whenever no writer holds the lock.
//
// The mistake people really make, and why it looks right: the textbook definition of a reader-writer lock
// is "many readers or one writer", and this is exactly that: a reader waits only while a writer is inside,
// a writer waits until there is nobody inside at all. Every mutual-exclusion test passes and it is free of
// data races. It is also what glibc's pthread_rwlock_t does by default (PTHREAD_RWLOCK_PREFER_READER_NP),
// and so what std::shared_mutex does on Linux with libstdc++.
//
// What it gets wrong is liveness, not safety: a waiting writer does not stop new readers. While readers
// keep overlapping (a new one arrives before the last one leaves), the reader count never reaches zero and
// the writer waits forever: writer starvation. RwLockFairnessTest.AWriterWaitingForReadersGoesBeforeALaterReader
// shows it on every run: a reader that arrived after the waiting writer gets in first.
//
// Lesson: modules/03-classic-problems/05-starvation-and-fairness.md ("Reader preference").
#pragma once

#include <functional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

enum class Role { reader, writer };

// RwLock: many readers or one writer; readers are preferred (a waiting writer does not stop them).
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
    cv_.wait(lk, [&] { return !writer_ && readers_ == 0; });  // nobody inside: the writer's only chance
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
    cv_.wait(lk, [&] { return !writer_; });  // the mistake: a WAITING writer does not stop us
    ++readers_;
  }

  void unlock_shared() {
    sync::lock_guard lk(mu_);
    --readers_;
    if (readers_ == 0) cv_.notify_all();
  }

 private:
  void arrived(Role role) {
    if (on_arrival_) on_arrival_(role);
  }

  ArrivalHook on_arrival_;

  sync::mutex mu_;
  int readers_ = 0;              // guarded by mu_: readers holding the lock
  bool writer_ = false;          // guarded by mu_: a writer holds the lock
  sync::condition_variable cv_;  // waited on with mu_
};

}  // namespace lab
