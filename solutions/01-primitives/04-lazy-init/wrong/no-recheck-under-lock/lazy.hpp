// Lab 01.04 lazy init, WRONG (no-recheck-under-lock): double-checked locking with only one check. An
// atomic flag with acquire/release, a mutex around the build, but no second look at the flag once the
// lock is held.
//
// Why it looks right: the memory orders are the textbook ones (a caller that sees ready_ == true sees
// the built value), ThreadSanitizer has nothing to report, and the hook tests pass: the hook is called
// first, before the flag is loaded, so the caller they pause loads ready_ == true once it goes on.
// Why it is wrong: two callers can both load ready_ == false; the
// first takes the lock and builds, the second waits for the lock, gets it, and builds again (destroying
// the object the first caller was handed). Holding the lock only makes the second build wait its turn:
// "not built yet" was decided before the lock, and it is stale by the time the lock is held. The
// explorer finds it on every run (LazyTest.TwoFirstGetsNeverRunTheInitialiserTwice). The fix: check
// ready_ again under the lock (that second check is the "double" in double-checked locking).
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
    if (!ready_.load(std::memory_order_acquire)) {  // pairs with the release store below
      sync::lock_guard lock(mu_);
      value_.emplace(init_());  // no re-check: the "not ready" above may be stale by now
      ready_.store(true, std::memory_order_release);
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
  sync::atomic<bool> ready_{false};
};

}  // namespace lab
