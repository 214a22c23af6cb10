// Lab 01.04 lazy init, WRONG (unlock-skipped-on-throw): improved's critical section, with lock() and
// unlock() called by hand instead of a lock_guard.
//
// Why it looks right: the check and the build are under one lock, so the initialiser runs once and
// every caller sees it built; every racing test passes. Why it is wrong: when the initialiser throws,
// the exception leaves get() between lock() and unlock(), and unlock() never runs. The mutex stays
// locked forever: the next get() (the contract says it must run the initialiser again) waits for a
// lock nobody will release, and on the thread that got the exception it waits for itself. The
// explorer reports the deadlock on every run (LazyTest.AThrowingInitialiserLeavesNothingBuiltAndIsRetried).
// The fix: sync::lock_guard (RAII), whose destructor unlocks while the exception leaves.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> init, std::function<void()> interleave_hook = {})
      : init_(std::move(init)), interleave_hook_(std::move(interleave_hook)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    call_interleave_hook();
    mu_.lock();
    if (!value_) value_.emplace(init_());  // if init_() throws, the unlock below never runs
    mu_.unlock();
    return *value_;
  }

 private:
  void call_interleave_hook() const {
    if (interleave_hook_) interleave_hook_();
  }

  const std::function<T()> init_;
  const std::function<void()> interleave_hook_;

  sync::mutex mu_;
  std::optional<T> value_;
};

}  // namespace lab
