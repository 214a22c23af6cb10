// Lab 01.01 counter, IMPROVED: a mutex around every read and write of the count.
//
// What changed from naive, and why: the load-add-store of `++count_` now runs under mu_, so no other
// thread can run its own load-add-store in the middle of it; every increment is counted. value()
// locks the same mutex, so it never reads a count that another thread is halfway through writing,
// and the unlock at the end of each increment() happens-before the next lock of mu_, which makes the
// new count visible to whoever locks next. No data race remains: ThreadSanitizer is quiet.
//
// The price: every increment is a lock and an unlock, and when several threads increment at once they
// queue on mu_ and the cache line holding it bounces between cores. More threads make it slower, not
// faster (`./conclab bench 01.01`). For a single integer, an atomic does the same job without a
// lock: that is the final version.
//
// Lesson: modules/01-primitives/01-mutexes-and-locks.md.
#pragma once

#include <cstdint>

#include "conclab/annotated_mutex.hpp"

namespace lab {

// Counter: increment() and value() may be called from any number of threads at once.
// Happens-before: an increment() that returns before a value() call starts is included in its result
// (both go through mu_); after the incrementing threads are joined, value() is exact.
class Counter {
 public:
  void increment() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    ++count_;
  }

  std::int64_t value() const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return count_;
  }

 private:
  mutable conclab::Mutex mu_;  // mutable: value() is const but still has to lock
  std::int64_t count_ CONCLAB_GUARDED_BY(mu_) = 0;
};

}  // namespace lab
