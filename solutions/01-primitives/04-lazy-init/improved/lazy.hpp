// Lab 01.04 lazy init, IMPROVED: a mutex held across the check and the build, on every call.
//
// What changed from naive, and why: get() locks mu_ before it looks at value_, and keeps it while it
// builds. The check and the build are now one step: a second caller waits on the mutex, and when it
// gets in it finds the value built. The unlock after the build happens-before the next lock of mu_, so
// every later caller sees the object fully built, not just "engaged". If the initialiser throws,
// value_ stays empty and the lock_guard unlocks while the exception leaves, so the next get() tries
// again. The test hook is called before locking, never under the lock.
//
// get() returns a reference to value_ after the lock is released. That is normally the trap "a
// reference to guarded data escapes the lock" (lesson 01), and it is safe here only because the value
// is never modified again once built: the mutex guards the *building*, and afterwards the object is
// read-only.
//
// The price: every get(), forever, locks and unlocks a mutex, although the value was built on the
// first call. Readers on different cores all write to the mutex's cache line and queue behind each
// other (`./conclab bench 01.04`). The final version puts an atomic flag in front of the mutex and
// pays for the lock only until the value is built.
//
// conclab::Mutex is a sync::mutex with Clang's thread-safety annotations (conclab/annotated_mutex.hpp),
// so the explorer sees every lock and unlock in the sim build.
//
// Lesson: modules/01-primitives/05-call-once-and-static-init.md.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "conclab/annotated_mutex.hpp"

namespace lab {

// Lazy<T>: get() may be called from any number of threads at once. The initialiser runs once, on the
// first get(); concurrent first callers wait for it. Everything it did happens-before every get()
// returns (through mu_). If it throws, nothing is built and the next get() runs it again.
template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() CONCLAB_EXCLUDES(mu_) {
    call_interleave_hook();  // before locking: never run unknown code under a lock
    conclab::MutexLock lock(mu_);
    if (!value_) value_.emplace(init_());  // check and build under one lock
    return *value_;                        // never modified again once built: safe to read unlocked
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  conclab::Mutex mu_;
  std::optional<T> value_ CONCLAB_GUARDED_BY(mu_);  // empty until built; read-only after that
};

}  // namespace lab
