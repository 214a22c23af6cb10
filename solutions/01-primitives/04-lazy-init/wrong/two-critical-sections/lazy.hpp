// Lab 01.04 lazy init, WRONG (two-critical-sections): the check under the lock, the build under the lock,
// but not under the *same* lock: the mutex is released in between, while the initialiser runs.
//
// Why it looks right: every access to value_ is locked, so ThreadSanitizer has no data race to report
// (in a run where the initialiser ran once), and the initialiser, which may be slow, runs with no lock
// held, which sounds like good practice. The hook tests pass too: the hook is called first, before any
// check, exactly as the hints say, so the thread they pause is never paused inside the window.
// Why it is wrong: it is still check-then-act. Two callers can both find the value missing, one after
// the other, before either has built it; then both run the initialiser, and the second emplace destroys
// the object the first caller was handed. The explorer finds that schedule on every run
// (LazyTest.TwoFirstGetsNeverRunTheInitialiserTwice). The fix: one critical section from the check to
// the end of the build (improved), or a re-check under the lock before building (final).
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
    bool missing = false;
    {
      sync::lock_guard lock(mu_);
      missing = !value_.has_value();  // check...
    }                                 // ...unlock: another caller can check here too...
    if (missing) {
      T built = init_();              // ...the slow part, with no lock held...
      sync::lock_guard lock(mu_);
      value_.emplace(std::move(built));  // ...and act, whether or not someone built it meanwhile
    }
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
