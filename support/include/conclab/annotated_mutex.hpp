// conclab::Mutex, MutexLock and CondVar: std::mutex, std::unique_lock and std::condition_variable
// with Clang thread-safety annotations, so that `-Wthread-safety` can prove a class's locking. Built on
// conclab/sync.hpp: std's types in the normal builds, the explorer's in the sim build.
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

#include "conclab/sync.hpp"
#include "conclab/thread_annotations.hpp"

// In the sim build a step taken inside these wrappers is shown at the caller's line, not at a line of this file.
#if defined(CONCLAB_SIM)
#define CONCLAB_AT_CALLER [[gnu::noinline]]
#define CONCLAB_CALLER_SCOPE ::conclab::sim::detail::ScopedWhere conclab_at_caller(CONCLAB_SIM_RETURN_ADDRESS())
#else
#define CONCLAB_AT_CALLER
#define CONCLAB_CALLER_SCOPE (void)0
#endif

namespace conclab {

class CONCLAB_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  CONCLAB_AT_CALLER void lock() CONCLAB_ACQUIRE() {
    CONCLAB_CALLER_SCOPE;
    mu_.lock();
  }
  CONCLAB_AT_CALLER void unlock() CONCLAB_RELEASE() {
    CONCLAB_CALLER_SCOPE;
    mu_.unlock();
  }
  CONCLAB_AT_CALLER bool try_lock() CONCLAB_TRY_ACQUIRE(true) {
    CONCLAB_CALLER_SCOPE;
    return mu_.try_lock();
  }

 private:
  friend class MutexLock;
  sync::mutex mu_;
};

// Holds a Mutex from construction to destruction (or until unlock()). Movable only by design of
// the analysis: keep it a local variable.
class CONCLAB_SCOPED_CAPABILITY MutexLock {
 public:
  CONCLAB_AT_CALLER explicit MutexLock(Mutex& mu) CONCLAB_ACQUIRE(mu) : lock_(mu.mu_, std::defer_lock) {
    CONCLAB_CALLER_SCOPE;
    lock_.lock();
  }
  CONCLAB_AT_CALLER ~MutexLock() CONCLAB_RELEASE() {
    CONCLAB_CALLER_SCOPE;
    if (lock_.owns_lock()) lock_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  CONCLAB_AT_CALLER void unlock() CONCLAB_RELEASE() {
    CONCLAB_CALLER_SCOPE;
    lock_.unlock();
  }
  CONCLAB_AT_CALLER void lock() CONCLAB_ACQUIRE() {
    CONCLAB_CALLER_SCOPE;
    lock_.lock();
  }

 private:
  friend class CondVar;
  sync::unique_lock<sync::mutex> lock_;
};

// A condition variable that waits on a MutexLock. There is deliberately no wait without a predicate:
// a wait must re-check its condition after every wakeup (Core Guidelines CP.42).
class CondVar {
 public:
  template <class Predicate>
  CONCLAB_AT_CALLER void wait(MutexLock& lock, Predicate ready) {
    CONCLAB_CALLER_SCOPE;
    cv_.wait(lock.lock_, std::move(ready));
  }
  template <class Clock, class Duration, class Predicate>
  CONCLAB_AT_CALLER bool wait_until(MutexLock& lock, const std::chrono::time_point<Clock, Duration>& deadline, Predicate ready) {
    CONCLAB_CALLER_SCOPE;
    return cv_.wait_until(lock.lock_, deadline, std::move(ready));
  }
  CONCLAB_AT_CALLER void notify_one() noexcept {
    CONCLAB_CALLER_SCOPE;
    cv_.notify_one();
  }
  CONCLAB_AT_CALLER void notify_all() noexcept {
    CONCLAB_CALLER_SCOPE;
    cv_.notify_all();
  }

 private:
  sync::condition_variable cv_;
};

}  // namespace conclab
