// conclab::Mutex, MutexLock and CondVar: std::mutex, std::unique_lock and std::condition_variable
// with Clang thread-safety annotations, so that `-Wthread-safety` can prove a class's locking.
//
//   class Counter {
//    public:
//     void add(int n) CONCLAB_EXCLUDES(mu_) { conclab::MutexLock lock(mu_); value_ += n; }
//    private:
//     conclab::Mutex mu_;
//     int value_ CONCLAB_GUARDED_BY(mu_) = 0;
//   };
//
// libstdc++'s own std::mutex carries no annotations, so clang cannot check code that uses it directly.
// Under GCC these are thin wrappers with no cost beyond std::mutex itself.
#pragma once

#include <condition_variable>
#include <mutex>

#include "conclab/thread_annotations.hpp"

namespace conclab {

class CONCLAB_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() CONCLAB_ACQUIRE() { mu_.lock(); }
  void unlock() CONCLAB_RELEASE() { mu_.unlock(); }
  bool try_lock() CONCLAB_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex from construction to destruction (or until unlock()). Movable only by design of
// the analysis: keep it a local variable.
class CONCLAB_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) CONCLAB_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() CONCLAB_RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() CONCLAB_RELEASE() { lock_.unlock(); }
  void lock() CONCLAB_ACQUIRE() { lock_.lock(); }

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// A condition variable that waits on a MutexLock. There is deliberately no wait without a predicate:
// a wait must re-check its condition after every wakeup (Core Guidelines CP.42).
class CondVar {
 public:
  template <class Predicate>
  void wait(MutexLock& lock, Predicate ready) {
    cv_.wait(lock.lock_, std::move(ready));
  }
  template <class Clock, class Duration, class Predicate>
  bool wait_until(MutexLock& lock, const std::chrono::time_point<Clock, Duration>& deadline, Predicate ready) {
    return cv_.wait_until(lock.lock_, deadline, std::move(ready));
  }
  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace conclab
